/**
 * The platform's FHIR endpoint where booking vendors report appointments (guide flow INT_R03, §2 of
 * shared/reference/sas-interfaces.md), under `/fhir`:
 *
 *   POST /fhir/Appointment                              create → 201 + Location + ETag (the same again → 200)
 *   PUT  /fhir/Appointment?identifier=system|value      update, or create when unknown (updateCreate)
 *   GET  /fhir/Appointment?identifier=system|value      searchset Bundle of the calling vendor's appointment
 *   GET  /fhir/Appointment/{id}                         read (the Location of a create)
 *
 * Only machine clients of kind `vendor` (HTTP Basic or mTLS); the vendor is the client id, and it reaches only its
 * own slots and appointments. Bodies in application/fhir+json (application/json accepted). Every error answers an
 * OperationOutcome: 400 malformed, 401/403 authentication, 404, 409 a refused status change or a taken slot,
 * 413/415, 422 a profile or business rule. Nothing is appended unless the notification is accepted whole.
 *
 * NO PATIENT DATA: the resource is validated and reduced to ids, times, status, slot and practitioner before any
 * use (VendorAppointment); a Patient participant, contained resources, texts and notes are dropped, never stored,
 * never logged (the request body is not logged either).
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, type Router } from 'express';
import { z } from 'zod';
import { principalOf, policy, type RouteDefinition, type RouteRegistry } from '../../../../shared-kernel/auth/route.ts';
import { DomainError, httpStatusOf } from '../../../../shared-kernel/errors/result.ts';
import { HttpProblem, problem, toProblem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { isUuid } from '../../../../shared-kernel/ids/uuid.ts';
import type { Logger } from '../../../../shared-kernel/logging/logger.ts';
import { appointmentSearchset, FHIR_JSON, toFhirAppointment, versionEtag } from '../../infrastructure/fhir/appointment-resource.ts';
import { validateAppointment, type OperationOutcomeIssue } from '../../infrastructure/fhir/appointment-validator.ts';
import { findVendorAppointment, searchVendorAppointments } from '../../infrastructure/vendor-appointments.projection.ts';
import type { VendorAppointmentRecord } from '../../domain/vendor-appointment.decider.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { reportAppointment } from './report-appointment.handler.ts';

export const FHIR_PREFIX = '/fhir';

/** Content types of the bodies taken (the guide's vendors also write the non-standard application/json+fhir). */
const FHIR_BODY_TYPES = [FHIR_JSON, 'application/json', 'application/json+fhir'];

export const vendorPolicy = policy<undefined>('éditeur de logiciel de prise de rendez-vous (client machine « vendor »)', (p) => p?.kind === 'machine' && p.clientKind === 'vendor');

/** An error answered as an OperationOutcome with these issues. */
export class OperationOutcomeError extends Error {
  readonly status: number;
  readonly issues: readonly OperationOutcomeIssue[];
  constructor(status: number, issues: readonly OperationOutcomeIssue[]) {
    super(issues.map((i) => i.diagnostics).join(' ; '));
    this.status = status;
    this.issues = issues;
  }
}

const RULES_SYSTEM = 'https://sas.sante.fr/problems';
const oneIssue = (code: string, diagnostics: string, rule: string, expression?: string): OperationOutcomeIssue => ({
  severity: 'error',
  code,
  diagnostics,
  ...(expression ? { expression: [expression] } : {}),
  details: { coding: [{ system: RULES_SYSTEM, code: rule }] },
});

const IDENTIFIER_PARAM = 'attendu : identifier=système|valeur (l’identifiant du rendez-vous chez l’éditeur), une seule fois';

/** The `identifier=system|value` search / conditional-update parameter. */
function identifierParam(req: Request): { system: string; value: string } {
  const raw = (req.query as Record<string, unknown>).identifier;
  const bar = typeof raw === 'string' ? raw.indexOf('|') : -1;
  if (typeof raw !== 'string' || bar <= 0 || bar === raw.length - 1) {
    throw new OperationOutcomeError(400, [oneIssue('invalid', `Paramètre identifier : ${IDENTIFIER_PARAM}.`, 'IdentifierParameterIsRequired', 'identifier')]);
  }
  return { system: raw.slice(0, bar), value: raw.slice(bar + 1) };
}

const vendorOf = (res: Response): string => {
  const p = principalOf(res);
  if (p?.kind !== 'machine') throw new HttpProblem(problem(403, 'Forbidden', 'Réservé aux éditeurs.'));
  return p.clientId;
};

function sendAppointment(res: Response, status: number, record: VendorAppointmentRecord): void {
  res
    .status(status)
    .location(`${FHIR_PREFIX}/Appointment/${record.appointmentId}`)
    .set('ETag', versionEtag(record.versionId))
    .set('Last-Modified', new Date(record.lastUpdated).toUTCString())
    .type(FHIR_JSON)
    .send(JSON.stringify(toFhirAppointment(record)));
}

/** Validates the body, checks it against the conditional-update parameter, reports it; answers the stored resource. */
async function report(deps: AvailabilityDeps, req: Request, res: Response, mode: 'create' | 'update'): Promise<void> {
  const vendorId = vendorOf(res);
  const query = mode === 'update' ? identifierParam(req) : null;
  if (req.body === undefined) {
    throw new OperationOutcomeError(400, [oneIssue('structure', 'Corps manquant : une ressource Appointment est attendue.', 'BodyIsRequired')]);
  }
  const validation = validateAppointment(req.body);
  if (!validation.ok) throw new OperationOutcomeError(validation.status, validation.issues);
  const { appointment } = validation;
  if (query && (query.system !== appointment.identifier.system || query.value !== appointment.identifier.value)) {
    throw new OperationOutcomeError(400, [
      oneIssue('invalid', 'L’identifier de la ressource n’est pas celui de l’URL (PUT /Appointment?identifier=système|valeur).', 'IdentifierDoesNotMatchTheQuery', 'Appointment.identifier'),
    ]);
  }
  const { record, created } = await reportAppointment(deps, { vendorId, appointment, mode }, commandContext(req, deps.clock));
  sendAppointment(res, created ? 201 : 200, record);
}

const identifierQuery = z.object({ identifier: z.string().describe('system|value : l’identifiant du rendez-vous chez l’éditeur') });
/** For the OpenAPI document only (the body is checked by validateAppointment, issue by issue). */
const appointmentBody = z.looseObject({
  resourceType: z.literal('Appointment'),
  meta: z.looseObject({ profile: z.array(z.string()) }),
  identifier: z.array(z.looseObject({ system: z.string(), value: z.string() })).length(1),
  status: z.enum(['booked', 'fulfilled', 'noshow', 'cancelled']),
  start: z.string(),
  end: z.string(),
  slot: z.array(z.looseObject({ reference: z.string() })).length(1),
  participant: z.array(z.looseObject({})),
});

export function fhirAppointmentRoutes(deps: AvailabilityDeps): RouteDefinition[] {
  return [
    {
      method: 'post',
      path: '/Appointment',
      summary: 'FHIR: a vendor reports a new appointment on one of its slots (FrAppointmentSAS / sas-sos-appointment) → SlotBooked',
      docs: { body: appointmentBody },
      policy: vendorPolicy,
      handle: (req, res) => report(deps, req, res, 'create'),
    },
    {
      method: 'put',
      path: '/Appointment',
      summary: 'FHIR conditional update (identifier=system|value): booked, cancelled (frees the slot), fulfilled, noshow; creates when unknown',
      docs: { query: identifierQuery, body: appointmentBody },
      policy: vendorPolicy,
      handle: (req, res) => report(deps, req, res, 'update'),
    },
    {
      method: 'get',
      path: '/Appointment',
      summary: 'FHIR search of the calling vendor’s appointment by identifier=system|value (searchset Bundle)',
      docs: { query: identifierQuery },
      policy: vendorPolicy,
      async handle(req, res) {
        const vendorId = vendorOf(res);
        const identifier = identifierParam(req);
        const records = await searchVendorAppointments(deps.readDb, vendorId, identifier);
        const base = `${req.protocol}://${req.get('host') ?? 'localhost'}${FHIR_PREFIX}`;
        const self = `${base}/Appointment?identifier=${encodeURIComponent(`${identifier.system}|${identifier.value}`)}`;
        res.status(200).type(FHIR_JSON).send(JSON.stringify(appointmentSearchset(base, self, records)));
      },
    },
    {
      method: 'get',
      path: '/Appointment/:appointmentId',
      summary: 'FHIR read of one of the calling vendor’s appointments',
      policy: vendorPolicy,
      async handle(req, res) {
        const vendorId = vendorOf(res);
        const id = String(req.params.appointmentId).toLowerCase();
        const record = isUuid(id) ? await findVendorAppointment(deps.readDb, vendorId, id) : null;
        if (!record) throw new OperationOutcomeError(404, [oneIssue('not-found', `Rendez-vous Appointment/${String(req.params.appointmentId).slice(0, 64)} inconnu.`, 'AppointmentDoesNotExist')]);
        sendAppointment(res, 200, record);
      },
    },
  ];
}

const ISSUE_CODE_BY_STATUS: Record<number, string> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  412: 'conflict',
  413: 'too-long',
  415: 'not-supported',
  422: 'business-rule',
};

/** Every error of the FHIR endpoint as an OperationOutcome (FHIR clients read no RFC 7807 problem). */
export function operationOutcomeErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    let status: number;
    let issues: readonly OperationOutcomeIssue[];
    if (error instanceof OperationOutcomeError) {
      status = error.status;
      issues = error.issues;
    } else if (error instanceof DomainError) {
      // A business rule broken by an accepted-looking notification is 422 for FHIR; a refused change or a taken slot 409.
      status = error.kind === 'validation' ? 422 : httpStatusOf(error);
      issues = [oneIssue(error.kind === 'conflict' ? 'business-rule' : (ISSUE_CODE_BY_STATUS[status] ?? 'processing'), error.message, error.code)];
    } else {
      const p = toProblem(error);
      status = p.status;
      issues = [oneIssue(ISSUE_CODE_BY_STATUS[status] ?? 'exception', p.detail ?? p.title, p.code ?? 'error')];
      if (status >= 500) logger.error({ err: error, path: req.path }, 'FHIR request failed');
    }
    res.status(status).type(FHIR_JSON).send(JSON.stringify({ resourceType: 'OperationOutcome', issue: issues }));
  };
}

/** Refuses bodies that are not FHIR JSON (415) before parsing; a request without a body goes on (its route says 400). */
const requireFhirJson: RequestHandler = (req, _res, next) => {
  if (['POST', 'PUT', 'PATCH'].includes(req.method) && req.headers['content-length'] !== '0' && req.is(FHIR_BODY_TYPES) === false) {
    next(new HttpProblem(problem(415, 'unsupported-media-type', 'Le corps doit être envoyé en application/fhir+json (ou application/json).')));
    return;
  }
  next();
};

/**
 * Mounts the FHIR endpoint on the site's root router at `/fhir`: authentication (the platform's, HTTP Basic or mTLS
 * for machine clients), FHIR JSON bodies up to `bodyLimitBytes`, the routes (recorded in the registry with their
 * policy), and OperationOutcome errors — including 401/403 and unknown FHIR paths.
 */
export function mountFhirApi(
  router: Router,
  registry: RouteRegistry,
  deps: AvailabilityDeps,
  options: { readonly authenticate: RequestHandler; readonly bodyLimitBytes: number; readonly logger: Logger },
): void {
  const fhir = express.Router();
  fhir.use(options.authenticate);
  fhir.use(requireFhirJson, express.json({ type: FHIR_BODY_TYPES, limit: options.bodyLimitBytes, strict: true }));
  registry.mount(fhir, FHIR_PREFIX, fhirAppointmentRoutes(deps));
  fhir.use((req, _res, next) => next(new HttpProblem(problem(404, 'route-not-found', `Aucune interaction FHIR ${req.method} ${FHIR_PREFIX}${req.path}.`))));
  fhir.use(operationOutcomeErrors(options.logger));
  router.use(FHIR_PREFIX, fhir);
}
