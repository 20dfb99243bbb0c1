/**
 * The simulated vendor's side of the guide's slot searches: parsing the three requests exactly as the guide
 * writes them (anything else is a 400 with an OperationOutcome) and building the searchset Bundles with the
 * SAS profiles (shared/reference/sas-interfaces.md §1, fhir-examples/searchset-individual-3-slots.json).
 */
import { utcOffsetMinutes } from '../../../../shared-kernel/time/paris-time.ts';
import {
  AUDIENCES_BY_FLAVOUR,
  CPTS_CATEGORY,
  IDNPS_SYSTEM,
  IDNST_SYSTEM,
  LOCATION_IDENTIFIER_TYPE,
  PROFILES,
  SLOT_SERVICE_TYPE_EXTENSION,
  TRE_R314_TYPE_CRENEAU,
  TRE_R38_SPECIALITE,
  TRE_R66_CATEGORIE_ETABLISSEMENT,
  V2_0203,
  V2_0276,
  V3_ACT_CODE,
  type Bundle,
  type BundleEntry,
  type FhirResource,
  type SearchFlavour,
} from '../fhir/sas-fhir.ts';
import type { SimData, SimSlot } from './vendor-sim.data.ts';

/** Most identifiers one search may carry (guide: 1..25). */
export const MAX_IDS_PER_SEARCH = 25;
/** Page size when `_count` is absent (the guide's self links carry `_count=1000`). */
export const DEFAULT_COUNT = 1000;

export interface SlotSearch {
  readonly flavour: SearchFlavour;
  /** PS/CPTS: RPPS numbers (11 digits; ADELI ids are kept prefixed `0…`); SOS: IDNST values (`3` + SIRET). */
  readonly ids: readonly string[];
  readonly from: Date;
  readonly to: Date;
  readonly count: number;
  readonly offset: number;
}

export type ParsedSearch = { readonly ok: true; readonly search: SlotSearch } | { readonly ok: false; readonly message: string };

const PS_PARAMS = ['_include', '_include:iterate', 'start', 'schedule.actor:Practitioner.identifier', 'status', '_count', '_offset'];
const SOS_PARAMS = ['_revinclude', '_include', '_include:iterate', '_has:Slot:schedule:start', '_has:Slot:schedule:status', 'actor:Location.organization.identifier', '_count', '_offset'];
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

class SearchError extends Error {}

/** Parses `GET /Slot?…` (PS individuel, or CPTS when `_include=Slot:service-type-reference` is present). */
export function parseSlotSearch(query: URLSearchParams): ParsedSearch {
  try {
    unknownParams(query, PS_PARAMS);
    const include = values(query, '_include');
    const flavour: SearchFlavour = include.includes('Slot:service-type-reference') ? 'cpts' : 'ps';
    expectSet(include, flavour === 'cpts' ? ['Slot:schedule', 'Slot:service-type-reference'] : ['Slot:schedule'], '_include');
    expectSet(values(query, '_include:iterate'), flavour === 'cpts' ? ['Schedule:actor', 'HealthcareService:organization'] : ['Schedule:actor'], '_include:iterate');
    single(query, 'status', 'free');
    const { from, to } = period(query.getAll('start'), 'start');
    const ids = identifiers(query, 'schedule.actor:Practitioner.identifier', IDNPS_SYSTEM, (value) => {
      if (/^8\d{11}$/.test(value)) return value.slice(1);
      if (/^\d{11}$/.test(value)) return value; // a bare RPPS: found all the same (guide FAQ)
      if (/^0[0-9A-Z]{9}$/.test(value)) return value;
      throw new SearchError(`Identifiant « ${value} » invalide : 8 + RPPS (12 caractères) ou 0 + ADELI attendu.`);
    });
    return { ok: true, search: { flavour, ids, from, to, ...paging(query) } };
  } catch (error) {
    if (error instanceof SearchError) return { ok: false, message: error.message };
    throw error;
  }
}

/** Parses `GET /Schedule?…` (SOS Médecins). */
export function parseScheduleSearch(query: URLSearchParams): ParsedSearch {
  try {
    unknownParams(query, SOS_PARAMS);
    expectSet(values(query, '_revinclude'), ['Slot:schedule'], '_revinclude');
    expectSet(values(query, '_include'), ['Schedule:actor:Location'], '_include');
    expectSet(values(query, '_include:iterate'), ['Location:organization'], '_include:iterate');
    single(query, '_has:Slot:schedule:status', 'free');
    const { from, to } = period(query.getAll('_has:Slot:schedule:start'), '_has:Slot:schedule:start');
    const ids = identifiers(query, 'actor:Location.organization.identifier', IDNST_SYSTEM, (value) => {
      if (/^3\d{14}$/.test(value)) return value;
      throw new SearchError(`Identifiant « ${value} » invalide : 3 + SIRET (15 caractères) attendu.`);
    });
    return { ok: true, search: { flavour: 'sos', ids, from, to, ...paging(query) } };
  } catch (error) {
    if (error instanceof SearchError) return { ok: false, message: error.message };
    throw error;
  }
}

function unknownParams(query: URLSearchParams, known: readonly string[]): void {
  const unknown = [...new Set([...query.keys()].filter((k) => !known.includes(k)))];
  if (unknown.length > 0) throw new SearchError(`Paramètre(s) de recherche non pris en charge : ${unknown.join(', ')}.`);
}

const values = (query: URLSearchParams, name: string): string[] => query.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

function expectSet(got: readonly string[], expected: readonly string[], name: string): void {
  const missing = expected.filter((e) => !got.includes(e));
  const extra = got.filter((g) => !expected.includes(g));
  if (missing.length > 0) throw new SearchError(`${name}=${missing.join(',')} est obligatoire pour cette recherche.`);
  if (extra.length > 0) throw new SearchError(`${name}=${extra.join(',')} n’est pas pris en charge pour cette recherche.`);
}

function single(query: URLSearchParams, name: string, expected: string): void {
  const got = query.getAll(name);
  if (got.length !== 1 || got[0] !== expected) throw new SearchError(`${name}=${expected} est obligatoire (une seule fois).`);
}

function period(raw: readonly string[], name: string): { from: Date; to: Date } {
  let from: Date | undefined;
  let to: Date | undefined;
  for (const value of raw) {
    // A `+` left unencoded in the query reads as a space.
    const m = /^(ge|le)(.+)$/.exec(value.replace(/ /g, '+'));
    if (!m || !DATE_TIME.test(m[2]!) || Number.isNaN(Date.parse(m[2]!))) {
      throw new SearchError(`${name}=${value} invalide : ge ou le suivi d’une date-heure avec fuseau attendu.`);
    }
    if (m[1] === 'ge') {
      if (from) throw new SearchError(`${name}=ge… figure deux fois.`);
      from = new Date(m[2]!);
    } else {
      if (to) throw new SearchError(`${name}=le… figure deux fois.`);
      to = new Date(m[2]!);
    }
  }
  if (!from || !to) throw new SearchError(`${name}=ge… et ${name}=le… sont obligatoires.`);
  return { from, to };
}

function identifiers(query: URLSearchParams, name: string, system: string, parse: (value: string) => string): string[] {
  const raw = query.getAll(name);
  if (raw.length !== 1) throw new SearchError(`${name} est obligatoire, une seule fois (identifiants séparés par des virgules).`);
  const tokens = raw[0]!.split(',').map((t) => t.trim());
  if (tokens.length > MAX_IDS_PER_SEARCH) throw new SearchError(`${tokens.length} identifiants dans une recherche : ${MAX_IDS_PER_SEARCH} au plus.`);
  return tokens.map((token) => {
    const bar = token.indexOf('|');
    if (bar === -1) throw new SearchError(`Identifiant « ${token} » sans système : ${system}|valeur attendu.`);
    if (token.slice(0, bar) !== system) throw new SearchError(`Système d’identifiant « ${token.slice(0, bar)} » inattendu : ${system} attendu.`);
    return parse(token.slice(bar + 1));
  });
}

function paging(query: URLSearchParams): { count: number; offset: number } {
  const count = query.get('_count') ?? String(DEFAULT_COUNT);
  const offset = query.get('_offset') ?? '0';
  if (!/^\d{1,4}$/.test(count) || Number(count) < 1 || Number(count) > DEFAULT_COUNT) throw new SearchError(`_count=${count} invalide : entier de 1 à ${DEFAULT_COUNT}.`);
  if (!/^\d{1,6}$/.test(offset)) throw new SearchError(`_offset=${offset} invalide.`);
  return { count: Number(count), offset: Number(offset) };
}

/** An instant as the guide's kit writes it: `YYYY-MM-DDThh:mm:ss.000+01:00`, in Paris time. */
export function fhirInstant(instant: Date): string {
  const offset = utcOffsetMinutes(instant);
  const local = new Date(instant.getTime() + offset * 60_000).toISOString().slice(0, 23);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export interface BundleContext {
  /** Origin of the simulator (`http://127.0.0.1:PORT`): booking pages hang under it. */
  readonly origin: string;
  /** FHIR base URL (origin + `/fhir`): fullUrls hang under it. */
  readonly fhirBase: string;
  /** The vendor's own identifier system (technical ids of SOS places, appointments). */
  readonly vendorSystem: string;
}

/** The free slots a search matches, sorted by start then id. */
export function matchingSlots(data: SimData, search: SlotSearch): SimSlot[] {
  const allowed = AUDIENCES_BY_FLAVOUR[search.flavour];
  const ids = new Set(search.ids);
  const owners = new Set<string>();
  if (search.flavour === 'sos') {
    for (const a of data.sos.values()) if (ids.has(a.idnst)) owners.add(a.id);
  } else {
    for (const id of ids) if (data.practitioners.has(id)) owners.add(id);
  }
  const found: SimSlot[] = [];
  for (const slot of data.slots.values()) {
    if (slot.status !== 'free' || slot.start < search.from || slot.start > search.to) continue;
    const owner = slot.owner.kind === 'sos' ? slot.owner.associationId : slot.owner.rpps;
    if ((slot.owner.kind === 'sos') !== (search.flavour === 'sos') || !owners.has(owner)) continue;
    if (!slot.audiences.some((a) => allowed.includes(a))) continue; // e.g. a CPTS-only slot in the PS search
    found.push(slot);
  }
  return found.sort((a, b) => a.start.getTime() - b.start.getTime() || a.id.localeCompare(b.id));
}

/** The searchset Bundle of one page of slots, with their includes. */
export function searchBundle(data: SimData, ctx: BundleContext, flavour: SearchFlavour, page: readonly SimSlot[], total: number, links: Bundle['link'], id: string, now: Date): Bundle {
  const P = PROFILES[flavour] as Record<string, string>;
  const entries: BundleEntry[] = [];
  const included = new Set<string>();
  const include = (resource: FhirResource, mode: 'match' | 'include') => {
    const key = `${resource.resourceType}/${resource.id}`;
    if (included.has(key)) return;
    included.add(key);
    entries.push({ fullUrl: `${ctx.fhirBase}/${key}`, resource, search: { mode } });
  };
  const meta = (type: string) => ({ profile: [P[type]!] });
  for (const slot of page) include(slotResource(data, ctx, flavour, slot, meta('Slot')), flavour === 'sos' ? 'include' : 'match');
  for (const slot of page) {
    if (slot.owner.kind === 'practitioner') {
      const p = data.practitioners.get(slot.owner.rpps)!;
      const roleId = slot.owner.roleId;
      const place = p.places.find((pl) => pl.roleId === roleId)!;
      include({ resourceType: 'Schedule', id: place.scheduleId, meta: meta('Schedule'), actor: [{ reference: `PractitionerRole/${place.roleId}` }, { reference: `Practitioner/${p.id}` }] }, 'include');
      include({
        resourceType: 'PractitionerRole',
        id: place.roleId,
        meta: meta('PractitionerRole'),
        contained: [{
          resourceType: 'Location',
          id: 'loc-1',
          meta: { profile: [PROFILES.ps.Location] },
          name: place.name,
          telecom: [{ system: 'phone', value: place.phone }],
          address: { line: [place.line], postalCode: place.postalCode, city: place.city },
          position: { latitude: place.latitude, longitude: place.longitude },
        }],
        practitioner: { reference: `Practitioner/${p.id}` },
        organization: { identifier: { type: { coding: [{ system: V2_0203, code: 'IDNST' }] }, system: IDNST_SYSTEM, value: place.idnst } },
        location: [{ reference: '#loc-1' }],
        telecom: [{ system: 'phone', value: place.phone }],
      }, 'include');
      include({
        resourceType: 'Practitioner',
        id: p.id,
        meta: meta('Practitioner'),
        identifier: [{ type: { coding: [{ system: V2_0203, code: 'IDNPS' }] }, system: IDNPS_SYSTEM, value: p.idnps }],
        name: [{ family: p.family, given: [p.given], prefix: ['DR'] }],
      }, 'include');
      if (flavour === 'cpts') {
        for (const cptsId of slot.cpts) {
          const c = data.cpts.get(cptsId)!;
          include({ resourceType: 'HealthcareService', id: c.healthcareServiceId, meta: meta('HealthcareService'), providedBy: { reference: `Organization/${c.id}` } }, 'include');
          include({
            resourceType: 'Organization',
            id: c.id,
            meta: meta('Organization'),
            identifier: [{ type: { coding: [{ system: LOCATION_IDENTIFIER_TYPE, code: 'IDNST' }] }, system: IDNST_SYSTEM, value: c.idnst }],
            name: c.name,
            telecom: [{ system: 'phone', value: c.phone }],
          }, 'include');
        }
      }
    } else {
      const a = data.sos.get(slot.owner.associationId)!;
      const locationId = slot.owner.locationId;
      const loc = a.locations.find((l) => l.id === locationId)!;
      include({ resourceType: 'Schedule', id: loc.scheduleId, meta: meta('Schedule'), actor: [{ reference: `Location/${loc.id}` }] }, 'match');
      include({
        resourceType: 'Location',
        id: loc.id,
        meta: meta('Location'),
        identifier: [{ type: { coding: [{ system: LOCATION_IDENTIFIER_TYPE, code: 'INTRN' }] }, system: ctx.vendorSystem, value: loc.id }],
        name: loc.name,
        telecom: [{ system: 'phone', value: loc.phone }],
        address: { line: [loc.line], postalCode: loc.postalCode, city: loc.city },
        managingOrganization: { reference: `Organization/${a.id}` },
        hoursOfOperation: [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], openingTime: '09:00:00', closingTime: '20:00:00' }],
      }, 'include');
      include({
        resourceType: 'Organization',
        id: a.id,
        meta: meta('Organization'),
        identifier: [{ type: { coding: [{ system: LOCATION_IDENTIFIER_TYPE, code: 'IDNST' }] }, system: IDNST_SYSTEM, value: a.idnst }],
        name: a.name,
        telecom: [{ system: 'phone', value: a.phone }],
      }, 'include');
    }
  }
  return {
    resourceType: 'Bundle',
    id,
    meta: { lastUpdated: fhirInstant(now), profile: [P.Bundle!] },
    type: 'searchset',
    total,
    ...(links && links.length > 0 ? { link: links } : {}),
    ...(entries.length > 0 ? { entry: entries } : {}),
  };
}

function slotResource(data: SimData, ctx: BundleContext, flavour: SearchFlavour, slot: SimSlot, meta: { profile: string[] }): FhirResource {
  const allowed = AUDIENCES_BY_FLAVOUR[flavour];
  const serviceType: unknown[] = slot.consultationTypes.map((code) => ({ coding: [{ system: V3_ACT_CODE, code }] }));
  if (flavour === 'cpts') {
    for (const cptsId of slot.cpts) {
      serviceType.push({
        coding: [{ system: TRE_R66_CATEGORIE_ETABLISSEMENT, code: CPTS_CATEGORY }],
        extension: [{ url: SLOT_SERVICE_TYPE_EXTENSION, valueReference: { reference: `HealthcareService/${data.cpts.get(cptsId)!.healthcareServiceId}` } }],
      });
    }
  }
  if (slot.reason) serviceType.push({ text: slot.reason });
  const schedule = slot.owner.kind === 'practitioner'
    ? data.practitioners.get(slot.owner.rpps)!.places.find((p) => slot.owner.kind === 'practitioner' && p.roleId === slot.owner.roleId)!.scheduleId
    : `sch-${slot.owner.locationId}`;
  return {
    resourceType: 'Slot',
    id: slot.id,
    meta: { ...meta, security: slot.audiences.filter((a) => allowed.includes(a)).map((code) => ({ system: TRE_R314_TYPE_CRENEAU, code })) },
    serviceType,
    ...(slot.specialty ? { specialty: [{ coding: [{ system: TRE_R38_SPECIALITE, code: slot.specialty }] }] } : {}),
    appointmentType: { coding: [{ system: V2_0276, code: slot.appointmentType }] },
    schedule: { reference: `Schedule/${schedule}` },
    status: 'free',
    start: fhirInstant(slot.start),
    end: fhirInstant(slot.end),
    comment: bookingUrl(ctx, data, slot),
  };
}

/** Slot.comment: the practitioner's agenda page (PS, CPTS) or the place's (SOS), where `origin=sas…` is appended. */
export function bookingUrl(ctx: BundleContext, data: SimData, slot: SimSlot): string {
  return slot.owner.kind === 'practitioner'
    ? `${ctx.origin}/agenda/${data.practitioners.get(slot.owner.rpps)!.idnps}`
    : `${ctx.origin}/agenda/lieu/${slot.owner.locationId}`;
}
