/**
 * A booking vendor (Doctolib, Maiia…) as the SAS implementation guide sees it: a FHIR R4 server on loopback that
 * answers the guide's slot searches over generated practitioners and slots, receives regulator accounts
 * (INT_R02), serves a minimal agenda page at the end-to-end redirect URL (`origin=sas…`) that books a slot and may
 * report the Appointment to the platform, and obeys fault switches. The peer of the aggregation and booking
 * tests, and what `npm run sas -- vendor-sim` runs.
 *
 *   /fhir/Slot?…, /fhir/Schedule?…           slot searches (PS individuel, CPTS, SOS Médecins)
 *   /fhir/Practitioner                        regulator accounts (POST, PUT ?identifier=, GET ?identifier=)
 *   /agenda/{IDNPS}, /agenda/lieu/{id}        booking pages (Slot.comment)
 *   /_sim/…                                   admin API: state, switches, slot mutations, what was received
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { createLogger, type Logger } from '../../../../shared-kernel/logging/logger.ts';
import { HttpProblem, notFoundHandler, parseInput, problem, problemDetailsMiddleware } from '../../../../shared-kernel/http/problem-details.ts';
import { isRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import { isSiret } from '../../../../shared-kernel/ids/siret.id.ts';
import { SeededRandom } from '../../../../shared-kernel/random/seeded-random.ts';
import { systemClock } from '../../../../shared-kernel/time/clock.ts';
import {
  APPOINTMENT_OPERATOR_EXTENSION,
  APPOINTMENT_PROFILES,
  CONSULTATION_CODES,
  IDNPS_SYSTEM,
  isShownBySas,
  operationOutcome,
  SAS_TECHNICAL_SYSTEM,
  SLOT_AUDIENCES,
  V2_0203,
  type Bundle,
  type ConsultationCode,
} from '../fhir/sas-fhir.ts';
import { hashSeed, SimData, type SimSlot } from './vendor-sim.data.ts';
import { bookingUrl, fhirInstant, matchingSlots, parseScheduleSearch, parseSlotSearch, searchBundle, type BundleContext, type ParsedSearch } from './vendor-sim.fhir.ts';
import { RegulatorStore } from './vendor-sim.regulators.ts';
import { DEFAULT_SWITCHES, renderSearchBody, switchesSchema, switchesUpdateSchema, type VendorSimSwitches } from './vendor-sim.switches.ts';

export type VendorCapability = 'aggregation' | 'end-to-end';

export const vendorSimOptionsSchema = z.strictObject({
  /** The vendor's name, shown on its pages and used in its identifier system. */
  vendor: z.string().trim().min(1).max(60).default('simulateur'),
  host: z.string().min(1).default('127.0.0.1'),
  /** 0: any free port. */
  port: z.number().int().min(0).max(65_535).default(0),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(2026),
  /** A number of generated practitioners, or the RPPS numbers to serve. */
  practitioners: z.union([z.number().int().min(0).max(200_000), z.array(z.string().refine(isRpps, 'RPPS invalide (11 chiffres, clé de Luhn)')).max(200_000)]).default(50),
  /** Index of the first generated RPPS (`19…`); the default serves the demo département's first practitioners. */
  practitionerOffset: z.number().int().min(0).max(99_000_000).default(90_000_000),
  cpts: z.number().int().min(0).max(50).default(2),
  cptsShare: z.number().min(0).max(1).default(0.3),
  /** A number of generated SOS Médecins associations, or the SIRETs of those to serve. */
  sosMedecins: z.union([z.number().int().min(0).max(50), z.array(z.string().refine(isSiret, 'SIRET invalide (14 chiffres, clé de Luhn)')).max(50)]).default(1),
  slotDurations: z.array(z.number().int().min(5).max(240)).min(1).default([15, 20, 30]),
  /** Share of slots the SAS must not show (PRO only, CPTS only). */
  reservedShare: z.number().min(0).max(1).default(0.15),
  capability: z.enum(['aggregation', 'end-to-end']).default('end-to-end'),
  switches: switchesUpdateSchema.default({}),
  /**
   * Where to report appointments booked on the agenda page: the platform's FHIR base (`POST {endpoint}/Appointment`,
   * conditional `PUT` on changes). Off by default.
   */
  appointments: z.strictObject({ endpoint: z.url(), authorization: z.string().optional() }).nullable().default(null),
});
export type VendorSimAppointmentsTarget = { readonly endpoint: string; readonly authorization?: string };
export type VendorSimulatorOptions = z.input<typeof vendorSimOptionsSchema> & { readonly clock?: () => Date; readonly logger?: Logger };

export interface SimAppointment {
  readonly id: string;
  readonly slotId: string;
  status: 'booked' | 'fulfilled' | 'noshow' | 'cancelled';
  readonly operator: { readonly system: string; readonly value: string };
  readonly createdAt: string;
  /** What the platform answered to the last notification (null when notifications are off). */
  notification: { readonly status: number | null; readonly location: string | null; readonly error: string | null } | null;
}

export interface VendorSimulator {
  /** `http://host:port`. */
  readonly url: string;
  /** The FHIR base URL the platform is configured with (`url` + `/fhir`). */
  readonly fhirBaseUrl: string;
  readonly vendor: string;
  readonly capability: VendorCapability;
  /** RPPS numbers served. */
  readonly practitioners: readonly string[];
  /** SIRETs of the SOS Médecins associations served. */
  readonly sosMedecins: readonly string[];
  switches(): VendorSimSwitches;
  setSwitches(update: Partial<VendorSimSwitches>): VendorSimSwitches;
  /**
   * Where to report appointments from now on (`null`: nowhere) — for an embedding platform that learns its own URL
   * and the vendor's credentials only after the simulator listens. The authorization is kept in memory, never shown.
   */
  setAppointments(target: VendorSimAppointmentsTarget | null): void;
  stop(): Promise<void>;
}

/** Raised for options that cannot start a simulator (the CLI turns it into exit 64). */
export class VendorSimOptionsError extends Error {}

interface RequestLog {
  readonly at: string;
  readonly method: string;
  readonly url: string;
  status: number | null;
  ms: number | null;
}

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const MAX_LOG = 1000;
const slug = (name: string) => name.normalize('NFD').replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '').toLowerCase() || 'vendor';
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function createVendorSimulator(input: VendorSimulatorOptions = {}): Promise<VendorSimulator> {
  const { clock: clockOption, logger: loggerOption, ...rest } = input;
  const parsed = vendorSimOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw new VendorSimOptionsError(parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; '));
  }
  const options = parsed.data;
  const now = clockOption ?? systemClock;
  const logger = loggerOption ?? createLogger({ level: 'silent' });
  let switches: VendorSimSwitches = switchesSchema.parse({ ...DEFAULT_SWITCHES, ...options.switches });
  const rng = new SeededRandom(hashSeed(`faults:${options.seed}`));
  const data = new SimData({
    seed: options.seed,
    practitioners: options.practitioners,
    practitionerOffset: options.practitionerOffset,
    cpts: options.cpts,
    cptsShare: options.cptsShare,
    sosMedecins: options.sosMedecins,
    slotDurations: options.slotDurations,
    reservedShare: options.reservedShare,
  });
  data.ensureGenerated(now());
  const regulators = new RegulatorStore(now);
  const appointments = new Map<string, SimAppointment>();
  let appointmentsTarget: VendorSimAppointmentsTarget | null = options.appointments;
  const requests: RequestLog[] = [];
  const held = new Set<Response>();
  const vendorSystem = `https://vendor-sim.sas.invalid/${slug(options.vendor)}`;
  let ctx: BundleContext = { origin: '', fhirBase: '', vendorSystem };

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  // ---- FHIR API -------------------------------------------------------------------------------------------------
  const fhir = express.Router();
  fhir.use((req, res, next) => {
    const entry: RequestLog = { at: now().toISOString(), method: req.method, url: req.originalUrl, status: null, ms: null };
    requests.push(entry);
    if (requests.length > MAX_LOG) requests.shift();
    const started = Date.now();
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.ms = Date.now() - started;
    });
    next();
  });
  fhir.use(async (_req, res, next) => {
    const s = switches;
    if (s.timeoutRate > 0 && rng.chance(s.timeoutRate)) {
      held.add(res); // never answered; released when the client leaves or the simulator stops
      res.on('close', () => held.delete(res));
      return;
    }
    const delay = s.latencyMs + (s.jitterMs > 0 ? rng.int(0, s.jitterMs) : 0);
    if (delay > 0) await sleep(delay);
    if (s.errorRate > 0 && rng.chance(s.errorRate)) {
      res.status(s.errorStatus).type(FHIR_JSON).send(JSON.stringify(operationOutcome('transient', `Erreur simulée ${s.errorStatus}.`)));
      return;
    }
    next();
  });
  fhir.use(express.json({ type: ['application/json', 'application/fhir+json'], limit: '1mb' }));

  const search = (parse: (q: URLSearchParams) => ParsedSearch) => (req: Request, res: Response) => {
    const query = new URL(req.originalUrl, 'http://sim').searchParams;
    const result = parse(query);
    if (!result.ok) {
      res.status(400).type(FHIR_JSON).send(JSON.stringify(operationOutcome('invalid', result.message)));
      return;
    }
    const at = now();
    data.ensureGenerated(at);
    const s = result.search;
    const matches = matchingSlots(data, s);
    const page = matches.slice(s.offset, s.offset + s.count);
    const self = `${ctx.origin}${req.originalUrl}`;
    const links: { relation: string; url: string }[] = [{ relation: 'self', url: self }];
    if (s.offset + s.count < matches.length) {
      const next = new URL(self);
      next.searchParams.set('_offset', String(s.offset + s.count));
      links.push({ relation: 'next', url: next.toString() });
    }
    if (s.offset > 0) {
      const previous = new URL(self);
      previous.searchParams.set('_offset', String(Math.max(0, s.offset - s.count)));
      links.push({ relation: 'previous', url: previous.toString() });
    }
    const bundle: Bundle = searchBundle(data, ctx, s.flavour, page, matches.length, links, randomUUID(), at);
    res.status(200).type(FHIR_JSON).send(renderSearchBody(bundle, switches, rng));
  };
  fhir.get('/Slot', search(parseSlotSearch));
  fhir.get('/Schedule', search(parseScheduleSearch));

  const regulatorLocation = (id: string) => `${ctx.fhirBase}/Practitioner/${id}`;
  fhir.post('/Practitioner', (req, res) => {
    const result = regulators.create(req.body);
    if (!result.ok) return void res.status(result.status).type(FHIR_JSON).send(JSON.stringify(outcome(result.code, result.issues)));
    res.status(201).location(regulatorLocation(result.regulator.id)).type(FHIR_JSON).send(JSON.stringify(result.regulator.resource));
  });
  fhir.put('/Practitioner', (req, res) => {
    const identifier = new URL(req.originalUrl, 'http://sim').searchParams.getAll('identifier');
    if (identifier.length !== 1) return void res.status(400).type(FHIR_JSON).send(JSON.stringify(operationOutcome('invalid', 'PUT Practitioner?identifier=système|valeur attendu (une seule fois).')));
    const result = regulators.upsert(identifier[0]!, req.body);
    if (!result.ok) return void res.status(result.status).type(FHIR_JSON).send(JSON.stringify(outcome(result.code, result.issues)));
    res.status(result.status).location(regulatorLocation(result.regulator.id)).type(FHIR_JSON).send(JSON.stringify(result.regulator.resource));
  });
  fhir.get('/Practitioner', (req, res) => {
    const query = new URL(req.originalUrl, 'http://sim').searchParams;
    const unknown = [...query.keys()].filter((k) => k !== 'identifier');
    const identifier = query.getAll('identifier');
    if (unknown.length > 0 || identifier.length !== 1) {
      return void res.status(400).type(FHIR_JSON).send(JSON.stringify(operationOutcome('invalid', 'GET Practitioner?identifier=système|valeur attendu.')));
    }
    const found = regulators.find(identifier[0]!);
    const bundle = {
      resourceType: 'Bundle', id: randomUUID(), type: 'searchset', total: found.length,
      link: [{ relation: 'self', url: `${ctx.origin}${req.originalUrl}` }],
      ...(found.length > 0 ? { entry: found.map((r) => ({ fullUrl: regulatorLocation(r.id), resource: r.resource, search: { mode: 'match' } })) } : {}),
    };
    res.status(200).type(FHIR_JSON).send(JSON.stringify(bundle));
  });
  fhir.get('/Practitioner/:id', (req, res) => {
    const r = regulators.get(req.params.id);
    if (!r) return void res.status(404).type(FHIR_JSON).send(JSON.stringify(operationOutcome('not-found', `Practitioner/${req.params.id} inconnu.`)));
    res.status(200).type(FHIR_JSON).send(JSON.stringify(r.resource));
  });
  fhir.use((req, res) => {
    res.status(404).type(FHIR_JSON).send(JSON.stringify(operationOutcome('not-supported', `${req.method} ${req.path} n’est pas pris en charge par ce serveur.`)));
  });
  fhir.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = error as { status?: number; type?: string };
    if (e?.type === 'entity.parse.failed') return void res.status(400).type(FHIR_JSON).send(JSON.stringify(operationOutcome('structure', 'Le corps n’est pas du JSON valide.')));
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return void res.status(e.status).type(FHIR_JSON).send(JSON.stringify(operationOutcome('invalid', 'Requête refusée.')));
    logger.error({ err: error }, 'vendor simulator: request failed');
    res.status(500).type(FHIR_JSON).send(JSON.stringify(operationOutcome('exception', 'Erreur interne du simulateur.')));
  });
  app.use('/fhir', fhir);

  // ---- booking pages (end-to-end redirect) ----------------------------------------------------------------------
  const sasOrigin = (value: unknown): value is string => typeof value === 'string' && /^sas(-[a-z0-9-]+)?$/.test(value);
  const page = (res: Response, status: number, title: string, body: string) => {
    res.status(status).type('html').send(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(title)} — ${escapeHtml(options.vendor)}</title></head><body><header><p>${escapeHtml(options.vendor)} (éditeur simulé)</p></header><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`);
  };
  /** With `?origin=sas…` the regulator is in SAS context; without it, the vendor's own login (guide §2). */
  const agenda = (title: string, slotsOf: (at: Date) => SimSlot[], notFound: boolean) => (req: Request, res: Response) => {
    const origin = req.query.origin;
    if (notFound) return page(res, 404, 'Agenda introuvable', '<p>Aucun agenda à cette adresse.</p>');
    if (origin === undefined) return page(res, 401, 'Connexion', '<p>Identifiez-vous sur le logiciel de l’éditeur pour accéder à cet agenda.</p>');
    if (!sasOrigin(origin)) return page(res, 403, 'Accès refusé', '<p>Origine inconnue : cet accès est réservé aux régulateurs venant du SAS.</p>');
    const at = now();
    data.ensureGenerated(at);
    const free = slotsOf(at).filter((s) => s.status === 'free' && s.start >= at && isShownBySas(s.audiences)).sort((a, b) => a.start.getTime() - b.start.getTime());
    const active = regulators.all().filter((r) => r.resource.active === true);
    const operatorField = active.length > 0
      ? `<label>Régulateur <select name="operator" required>${active.map((r) => operatorOf(r.resource)).filter((o) => o !== null).map((o) => `<option value="${escapeHtml(o!.value)}">${escapeHtml(o!.value)}</option>`).join('')}</select></label>`
      : '<label>Identifiant du régulateur (IDNPS ou identifiant SAS) <input name="operator" required></label>';
    const rows = free.map((s) => {
      const when = `${fhirInstant(s.start).slice(0, 16).replace('T', ' ')} (${s.consultationTypes.map((c) => CONSULTATION_CODES[c]).join(', ')})`;
      return options.capability === 'end-to-end'
        ? `<li><form method="post" action="/agenda/reservations"><input type="hidden" name="slot" value="${s.id}"><input type="hidden" name="origin" value="${escapeHtml(origin)}">${operatorField}<button type="submit" data-slot="${s.id}">Réserver ${escapeHtml(when)}</button></form></li>`
        : `<li data-slot="${s.id}">${escapeHtml(when)}</li>`;
    });
    const notice = options.capability === 'end-to-end'
      ? '<p>Le simulateur ne demande aucune donnée du patient.</p>'
      : '<p>La prise de rendez-vous depuis le SAS n’est pas proposée par ce logiciel : appelez le cabinet.</p>';
    return page(res, 200, title, `${notice}<ul>${rows.join('') || '<li>Aucun créneau disponible.</li>'}</ul>`);
  };
  app.get('/agenda/lieu/:locationId', (req, res) => {
    const association = [...data.sos.values()].find((a) => a.locations.some((l) => l.id === req.params.locationId));
    const location = association?.locations.find((l) => l.id === req.params.locationId);
    return agenda(location?.name ?? '', () => [...data.slots.values()].filter((s) => s.owner.kind === 'sos' && s.owner.locationId === req.params.locationId), !location)(req, res);
  });
  app.get('/agenda/:idnps', (req, res) => {
    const rpps = /^8\d{11}$/.test(req.params.idnps) ? req.params.idnps.slice(1) : '';
    const p = data.practitioners.get(rpps);
    return agenda(p ? `Agenda du Dr ${p.given} ${p.family}` : '', () => [...data.slots.values()].filter((s) => s.owner.kind === 'practitioner' && s.owner.rpps === rpps), !p)(req, res);
  });
  app.post('/agenda/reservations', express.urlencoded({ extended: false, limit: '10kb' }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (!sasOrigin(body.origin)) return page(res, 403, 'Accès refusé', '<p>La réservation n’est ouverte qu’aux régulateurs venant du SAS.</p>');
    if (options.capability !== 'end-to-end') return page(res, 403, 'Réservation indisponible', '<p>Ce logiciel ne propose pas la prise de rendez-vous depuis le SAS.</p>');
    const operator = typeof body.operator === 'string' ? parseOperator(body.operator.trim()) : null;
    if (!operator) return page(res, 400, 'Régulateur non reconnu', '<p>Indiquez l’identifiant du régulateur : IDNPS (8 suivi du RPPS) ou identifiant technique SAS (UUID).</p>');
    const slot = typeof body.slot === 'string' ? data.slots.get(body.slot) : undefined;
    if (!slot || slot.status !== 'free' || slot.start < now() || !isShownBySas(slot.audiences)) {
      return page(res, 409, 'Créneau indisponible', '<p>Ce créneau n’est plus disponible : choisissez-en un autre.</p>');
    }
    slot.status = 'booked';
    const appointment: SimAppointment = { id: randomUUID(), slotId: slot.id, status: 'booked', operator, createdAt: now().toISOString(), notification: null };
    appointments.set(appointment.id, appointment);
    await notify(appointment, 'create');
    const reported = appointment.notification
      ? `<p data-notification="${appointment.notification.status ?? 'error'}">Rendez-vous transmis au SAS : ${appointment.notification.status ? `HTTP ${appointment.notification.status}` : escapeHtml(appointment.notification.error ?? '')}.</p>`
      : '';
    return page(res, 201, 'Rendez-vous confirmé', `<p data-appointment="${appointment.id}">Rendez-vous du ${escapeHtml(fhirInstant(slot.start).slice(0, 16).replace('T', ' '))} enregistré.</p>${reported}<p><a href="${escapeHtml(bookingUrl(ctx, data, slot))}?origin=${escapeHtml(body.origin)}">Retour à l’agenda</a></p>`);
  });

  /** The FrAppointmentSAS (or sas-sos-appointment) resource of a booking. */
  const appointmentResource = (a: SimAppointment) => {
    const slot = data.slots.get(a.slotId)!;
    const operatorType = a.operator.system === IDNPS_SYSTEM ? 'IDNPS' : 'INTRN';
    const sos = slot.owner.kind === 'sos';
    return {
      resourceType: 'Appointment',
      meta: { profile: [sos ? APPOINTMENT_PROFILES.sos : APPOINTMENT_PROFILES.sas] },
      extension: [{ url: APPOINTMENT_OPERATOR_EXTENSION, valueReference: { identifier: { type: { coding: [{ system: V2_0203, code: operatorType }] }, system: a.operator.system, value: a.operator.value } } }],
      identifier: [{ system: vendorSystem, value: a.id }],
      status: a.status,
      start: fhirInstant(slot.start),
      end: fhirInstant(slot.end),
      created: fhirInstant(new Date(a.createdAt)),
      slot: [{ reference: `Slot/${slot.id}` }],
      participant: slot.owner.kind === 'practitioner'
        ? [{ actor: { identifier: { type: { coding: [{ system: V2_0203, code: 'IDNPS' }] }, system: IDNPS_SYSTEM, value: `8${slot.owner.rpps}` } }, status: 'accepted' }]
        : [{ type: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'ADM' }] }], status: 'needs-action' }],
    };
  };
  /** Reports the appointment to the platform when configured: POST on booking, conditional PUT on changes. */
  const notify = async (a: SimAppointment, kind: 'create' | 'update') => {
    const target = appointmentsTarget;
    if (!target) return;
    const base = target.endpoint.replace(/\/$/, '');
    const url = kind === 'create' ? `${base}/Appointment` : `${base}/Appointment?identifier=${encodeURIComponent(`${vendorSystem}|${a.id}`)}`;
    try {
      const response = await fetch(url, {
        method: kind === 'create' ? 'POST' : 'PUT',
        headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', ...(target.authorization ? { authorization: target.authorization } : {}) },
        body: JSON.stringify(appointmentResource(a)),
        signal: AbortSignal.timeout(7000),
      });
      await response.arrayBuffer();
      a.notification = { status: response.status, location: response.headers.get('location'), error: null };
    } catch (error) {
      a.notification = { status: null, location: null, error: error instanceof Error ? error.message : String(error) };
      logger.warn({ appointmentId: a.id, err: error }, 'vendor simulator: appointment notification failed');
    }
  };

  // ---- admin API ------------------------------------------------------------------------------------------------
  const admin = express.Router();
  admin.use(express.json({ limit: '100kb' }));
  const slotView = (s: SimSlot) => ({
    id: s.id,
    owner: s.owner,
    start: s.start.toISOString(),
    end: s.end.toISOString(),
    consultationTypes: s.consultationTypes,
    audiences: s.audiences,
    shownBySas: isShownBySas(s.audiences),
    cpts: s.cpts.map((id) => data.cpts.get(id)!.finess),
    appointmentType: s.appointmentType,
    status: s.status,
    comment: bookingUrl(ctx, data, s),
  });
  admin.get('/', (_req, res) => {
    data.ensureGenerated(now());
    const slots = [...data.slots.values()];
    res.json({
      vendor: options.vendor,
      capability: options.capability,
      fhirBaseUrl: ctx.fhirBase,
      seed: options.seed,
      practitioners: data.practitioners.size,
      cpts: [...data.cpts.values()].map((c) => ({ finess: c.finess, idnst: c.idnst, name: c.name })),
      sosMedecins: [...data.sos.values()].map((a) => ({ siret: a.siret, idnst: a.idnst, name: a.name, locations: a.locations.map((l) => l.id) })),
      slots: { free: slots.filter((s) => s.status === 'free').length, booked: slots.filter((s) => s.status === 'booked').length, withdrawn: slots.filter((s) => s.status === 'withdrawn').length },
      switches,
      appointmentsEndpoint: appointmentsTarget?.endpoint ?? null,
    });
  });
  admin.get('/practitioners', (_req, res) => {
    res.json([...data.practitioners.values()].map((p) => ({ rpps: p.rpps, idnps: p.idnps, specialty: p.specialty, places: p.places.map((pl) => pl.roleId), cpts: p.cpts.map((id) => data.cpts.get(id)!.finess) })));
  });
  admin.get('/switches', (_req, res) => void res.json(switches));
  admin.post('/switches', (req, res) => {
    const update = parseInput(switchesUpdateSchema, req.body, 'body');
    switches = { ...switches, ...update };
    res.json(switches);
  });
  admin.post('/switches/reset', (_req, res) => {
    switches = { ...DEFAULT_SWITCHES };
    res.json(switches);
  });
  admin.get('/slots', (req, res) => {
    const q = parseInput(z.strictObject({ rpps: z.string().regex(/^\d{11}$/).optional(), status: z.enum(['free', 'booked', 'withdrawn']).optional() }), req.query, 'query');
    data.ensureGenerated(now());
    const list = [...data.slots.values()]
      .filter((s) => (q.rpps === undefined || (s.owner.kind === 'practitioner' && s.owner.rpps === q.rpps)) && (q.status === undefined || s.status === q.status))
      .sort((a, b) => a.start.getTime() - b.start.getTime() || a.id.localeCompare(b.id));
    res.json(list.map(slotView));
  });
  const instant = z.iso.datetime({ offset: true });
  const period = (body: { start: string; end: string }) => {
    const start = new Date(body.start);
    const end = new Date(body.end);
    if (end <= start) throw new HttpProblem(problem(400, 'invalid-period', 'La fin du créneau doit suivre son début.'));
    return { start, end };
  };
  admin.post('/slots', (req, res) => {
    const body = parseInput(z.strictObject({
      rpps: z.string().regex(/^\d{11}$/),
      start: instant,
      end: instant,
      consultationTypes: z.array(z.enum(Object.keys(CONSULTATION_CODES) as [ConsultationCode, ...ConsultationCode[]])).min(1).default(['AMB']),
      audiences: z.array(z.enum(SLOT_AUDIENCES)).min(1).default(['PUBLIC']),
      place: z.number().int().min(1).default(1),
    }), req.body, 'body');
    const p = data.practitioners.get(body.rpps);
    if (!p) throw new HttpProblem(problem(404, 'unknown-practitioner', `Le simulateur ne sert pas le RPPS ${body.rpps}.`));
    const place = p.places[body.place - 1];
    if (!place) throw new HttpProblem(problem(404, 'unknown-place', `Le RPPS ${body.rpps} n’a pas de lieu n° ${body.place}.`));
    const { start, end } = period(body);
    const cpts = body.audiences.includes('CPTS') ? [...p.cpts] : [];
    if (body.audiences.includes('CPTS') && cpts.length === 0) throw new HttpProblem(problem(400, 'not-in-cpts', `Le RPPS ${body.rpps} n’appartient à aucune CPTS.`));
    const slot = data.addSlot(
      { owner: { kind: 'practitioner', rpps: p.rpps, roleId: place.roleId }, start, end, consultationTypes: body.consultationTypes, reason: null, audiences: body.audiences, cpts, appointmentType: 'ROUTINE', specialty: p.specialty },
      `${p.rpps}:${randomUUID()}`,
    );
    res.status(201).json(slotView(slot));
  });
  const slotOr404 = (id: string) => {
    const slot = data.slots.get(id);
    if (!slot) throw new HttpProblem(problem(404, 'unknown-slot', `Créneau ${id} inconnu du simulateur.`));
    return slot;
  };
  admin.post('/slots/withdraw', (req, res) => {
    const body = parseInput(z.strictObject({ rpps: z.string().regex(/^\d{11}$/) }), req.body, 'body');
    if (!data.practitioners.has(body.rpps)) throw new HttpProblem(problem(404, 'unknown-practitioner', `Le simulateur ne sert pas le RPPS ${body.rpps}.`));
    const withdrawn: string[] = [];
    for (const s of data.slots.values()) {
      if (s.status === 'free' && s.owner.kind === 'practitioner' && s.owner.rpps === body.rpps) {
        s.status = 'withdrawn';
        withdrawn.push(s.id);
      }
    }
    res.json({ withdrawn });
  });
  admin.post('/slots/:id/move', (req, res) => {
    const slot = slotOr404(req.params.id);
    const body = parseInput(z.strictObject({ start: instant, end: instant }), req.body, 'body');
    const { start, end } = period(body);
    if (slot.status !== 'free') throw new HttpProblem(problem(409, 'slot-not-free', `Le créneau ${slot.id} n’est pas libre (${slot.status}).`));
    slot.start = start;
    slot.end = end;
    res.json(slotView(slot));
  });
  admin.post('/slots/:id/withdraw', (req, res) => {
    const slot = slotOr404(req.params.id);
    if (slot.status !== 'free') throw new HttpProblem(problem(409, 'slot-not-free', `Le créneau ${slot.id} n’est pas libre (${slot.status}).`));
    slot.status = 'withdrawn';
    res.json(slotView(slot));
  });
  admin.get('/requests', (_req, res) => void res.json(requests));
  admin.get('/regulators', (_req, res) => void res.json(regulators.all()));
  admin.get('/appointments', (_req, res) => void res.json([...appointments.values()].map((a) => ({ ...a, resource: appointmentResource(a) }))));
  admin.post('/appointments/:id/status', async (req, res) => {
    const a = appointments.get(req.params.id);
    if (!a) throw new HttpProblem(problem(404, 'unknown-appointment', `Rendez-vous ${req.params.id} inconnu du simulateur.`));
    const body = parseInput(z.strictObject({ status: z.enum(['booked', 'fulfilled', 'noshow', 'cancelled']) }), req.body, 'body');
    if (a.status === 'cancelled') throw new HttpProblem(problem(409, 'appointment-cancelled', 'Ce rendez-vous est déjà annulé.'));
    a.status = body.status;
    if (body.status === 'cancelled') data.slots.get(a.slotId)!.status = 'free';
    await notify(a, 'update');
    res.json(a);
  });
  app.use('/_sim', admin);
  app.use(notFoundHandler);
  app.use(problemDetailsMiddleware(logger));

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, () => resolve(s));
    s.once('error', reject);
  }).catch((error: unknown) => {
    throw new VendorSimOptionsError(`Le simulateur ne peut pas écouter sur ${options.host}:${options.port} : ${error instanceof Error ? error.message : String(error)}`);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;
  ctx = { origin, fhirBase: `${origin}/fhir`, vendorSystem };

  return {
    url: origin,
    fhirBaseUrl: ctx.fhirBase,
    vendor: options.vendor,
    capability: options.capability,
    practitioners: [...data.practitioners.keys()],
    sosMedecins: [...data.sos.values()].map((a) => a.siret),
    switches: () => switches,
    setSwitches(update) {
      switches = switchesSchema.parse({ ...switches, ...update });
      return switches;
    },
    setAppointments(target) {
      appointmentsTarget = target === null ? null : vendorSimOptionsSchema.shape.appointments.unwrap().unwrap().parse(target);
    },
    async stop() {
      for (const res of held) res.destroy();
      held.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function parseOperator(value: string): SimAppointment['operator'] | null {
  if (/^8\d{11}$/.test(value) && isRpps(value.slice(1))) return { system: IDNPS_SYSTEM, value };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) return { system: SAS_TECHNICAL_SYSTEM, value: value.toLowerCase() };
  return null;
}

/** The regulator identifier a booking names: the IDNPS if the account has one, else its SAS technical id. */
function operatorOf(resource: Record<string, unknown>): { system: string; value: string } | null {
  const ids = (Array.isArray(resource.identifier) ? resource.identifier : []) as { system?: string; value?: string }[];
  const id = ids.find((i) => i.system === IDNPS_SYSTEM) ?? ids.find((i) => i.system === SAS_TECHNICAL_SYSTEM);
  return id?.value && id.system ? { system: id.system, value: id.value } : null;
}

function outcome(code: string, issues: readonly string[]) {
  return { resourceType: 'OperationOutcome', issue: issues.map((diagnostics) => ({ severity: 'error', code: code === 'duplicate' ? 'duplicate' : code === 'multiple-matches' ? 'multiple-matches' : code === 'invalid' ? 'invalid' : 'invariant', diagnostics })) };
}
