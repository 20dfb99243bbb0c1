/**
 * The guide's three slot searches as the platform's FHIR client runs them (shared/reference/sas-interfaces.md §1):
 * building the request, following `next` links, validating every page against the SAS profiles, and reading the
 * slots out of a valid answer. An answer with any problem — not JSON, a broken Bundle, a page too large, too many
 * pages, a `next` link leaving the vendor — is rejected WHOLE: nothing of it is applied.
 */
import { addParisDays, parisDayBounds, parisLocalDate } from '../../../../shared-kernel/time/paris-time.ts';
import type { ConsultationType } from '../../contracts/availability.events.ts';
import { CONSULTATION_CODES, IDNPS_SYSTEM, IDNST_SYSTEM, isShownBySas, V3_ACT_CODE, type SearchFlavour } from '../fhir/sas-fhir.ts';
import { validateSearchsetBody, type BundleProblem } from '../fhir/searchset-bundle.validator.ts';
import { VendorFetchError, type FhirHttpClient, type FhirHttpOptions } from './fhir-http.ts';

export interface SearchWindow {
  readonly from: Date;
  readonly to: Date;
}

/** Now → the end of D+2 in Paris (the kit: `min(now + 72 h, D+2 23:59:59)`). */
export function searchWindow(now: Date): SearchWindow {
  const endOfD2 = new Date(parisDayBounds(parisLocalDate(addParisDays(now, 2))).end.getTime() - 1000);
  const in72h = new Date(now.getTime() + 72 * 3_600_000);
  return { from: now, to: endOfD2 < in72h ? endOfD2 : in72h };
}

/** `YYYY-MM-DDTHH:MM:SS.000+00:00`, as the kit writes the bounds. */
const kitInstant = (d: Date) => `${d.toISOString().slice(0, 19)}.000+00:00`;

/** PS individuel (INT_R01), or its CPTS variant (INT_R04): `ids` are RPPS numbers, sent prefixed (`8` + RPPS). */
export function practitionerSearchUrl(base: string, rpps: readonly string[], window: SearchWindow, cpts: boolean): string {
  const q = new URLSearchParams();
  q.append('_include', 'Slot:schedule');
  if (cpts) q.append('_include', 'Slot:service-type-reference');
  q.append('_include:iterate', 'Schedule:actor');
  if (cpts) q.append('_include:iterate', 'HealthcareService:organization');
  q.append('start', `ge${kitInstant(window.from)}`);
  q.append('start', `le${kitInstant(window.to)}`);
  q.append('schedule.actor:Practitioner.identifier', rpps.map((id) => `${IDNPS_SYSTEM}|8${id}`).join(','));
  q.append('status', 'free');
  return `${base}/Slot?${q}`;
}

/** SOS Médecins: `sirets` are the associations' SIRET, sent as IDNST (`3` + SIRET). */
export function sosSearchUrl(base: string, sirets: readonly string[], window: SearchWindow): string {
  const q = new URLSearchParams();
  q.append('_revinclude', 'Slot:schedule');
  q.append('_include', 'Schedule:actor:Location');
  q.append('_include:iterate', 'Location:organization');
  q.append('_has:Slot:schedule:start', `ge${kitInstant(window.from)}`);
  q.append('_has:Slot:schedule:start', `le${kitInstant(window.to)}`);
  q.append('_has:Slot:schedule:status', 'free');
  q.append('actor:Location.organization.identifier', sirets.map((id) => `${IDNST_SYSTEM}|3${id}`).join(','));
  return `${base}/Schedule?${q}`;
}

/** One free slot as a vendor offers it. */
export interface VendorSlot {
  readonly fhirSlotId: string;
  /** RPPS of the practitioner (PS, CPTS) or SIRET of the SOS Médecins association. */
  readonly effecteurId: string;
  readonly start: Date;
  readonly end: Date;
  readonly consultationTypes: readonly ConsultationType[];
  readonly audiences: readonly string[];
  /** The vendor's booking page (`Slot.comment`: the practitioner's agenda, or the SOS place's), an absolute http(s) URL; null if unusable. */
  readonly bookingUrl: string | null;
}

/** `Slot.comment` as a booking URL: an absolute http(s) URL without credentials or fragment, else null. */
export function bookingUrlOf(comment: unknown): string | null {
  if (typeof comment !== 'string') return null;
  let url: URL;
  try {
    url = new URL(comment.trim());
  } catch {
    return null;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return null;
  url.hash = '';
  const href = url.toString();
  return href.length <= 2_000 ? href : null;
}

export type SearchOutcome =
  | { readonly ok: true; readonly slots: readonly VendorSlot[]; readonly pages: number; readonly requests: number }
  /** The vendor could not be reached or failed (after retries): counts against its circuit. */
  | { readonly ok: false; readonly kind: 'unreachable'; readonly error: string; readonly requests: number }
  /** The vendor answered, but the answer is not applicable: reported, nothing applied. */
  | { readonly ok: false; readonly kind: 'rejected'; readonly error: string; readonly problems: readonly BundleProblem[]; readonly requests: number };

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const arrayOf = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** Runs one search and follows its pages; every page must pass the validator. */
export async function runSearch(
  http: FhirHttpClient,
  request: { readonly flavour: SearchFlavour; readonly url: string; readonly base: string; readonly window: SearchWindow; readonly requested: readonly string[] },
  options: FhirHttpOptions & { readonly maxPages: number },
): Promise<SearchOutcome> {
  const slots = new Map<string, VendorSlot>();
  let url: string | null = request.url;
  let pages = 0;
  let requests = 0;
  const origin = new URL(request.base).origin;
  while (url) {
    if (pages >= options.maxPages) {
      return { ok: false, kind: 'rejected', error: `plus de ${options.maxPages} pages`, problems: [{ path: 'link', rule: 'too-many-pages', message: `Plus de ${options.maxPages} pages de résultats.` }], requests };
    }
    let body: string;
    try {
      const result = await http.get(url, options);
      requests += result.attempts;
      body = result.body;
    } catch (error) {
      requests += 1 + options.retries;
      if (error instanceof VendorFetchError && error.kind === 'too-large') {
        return { ok: false, kind: 'rejected', error: `Bundle trop volumineux : ${error.message}`, problems: [{ path: '$', rule: 'bundle-too-large', message: error.message }], requests };
      }
      if (error instanceof VendorFetchError && error.kind === 'http' && error.status !== null && error.status < 500 && error.status !== 429) {
        return { ok: false, kind: 'rejected', error: `requête refusée par l’éditeur (HTTP ${error.status})`, problems: [{ path: '$', rule: 'http-status', message: `HTTP ${error.status}` }], requests };
      }
      return { ok: false, kind: 'unreachable', error: error instanceof Error ? error.message : String(error), requests };
    }
    pages++;
    const check = validateSearchsetBody(body, { flavour: request.flavour, window: request.window, requested: request.requested });
    if (!check.valid) return { ok: false, kind: 'rejected', error: `Bundle invalide (${check.problems.length} problème(s))`, problems: check.problems, requests };
    const bundle = JSON.parse(body) as Json;
    for (const slot of readSlots(bundle, request.flavour)) slots.set(slot.fhirSlotId, slot);
    const next = arrayOf(bundle.link).filter(isObject).find((l) => l.relation === 'next');
    url = null;
    if (next && typeof next.url === 'string') {
      let nextUrl: URL;
      try {
        nextUrl = new URL(next.url);
      } catch {
        return { ok: false, kind: 'rejected', error: 'lien next invalide', problems: [{ path: 'link', rule: 'next-link', message: `Lien next invalide : ${next.url}` }], requests };
      }
      if (nextUrl.origin !== origin) {
        return { ok: false, kind: 'rejected', error: 'lien next hors du serveur de l’éditeur', problems: [{ path: 'link', rule: 'next-link', message: `Lien next vers ${nextUrl.origin}, attendu ${origin}.` }], requests };
      }
      url = nextUrl.toString();
    }
  }
  return { ok: true, slots: [...slots.values()], pages, requests };
}

/** The slots of a VALID page (the validator has checked every reference and element read here). */
export function readSlots(bundle: Json, flavour: SearchFlavour): VendorSlot[] {
  const byKey = new Map<string, Json>();
  const resources: Json[] = [];
  for (const entry of arrayOf(bundle.entry).filter(isObject)) {
    const r = entry.resource;
    if (!isObject(r)) continue;
    resources.push(r);
    byKey.set(`${String(r.resourceType)}/${String(r.id)}`, r);
    if (typeof entry.fullUrl === 'string') byKey.set(entry.fullUrl, r);
  }
  const ref = (x: unknown): Json | undefined => (isObject(x) && typeof x.reference === 'string' ? byKey.get(x.reference) : undefined);
  const out: VendorSlot[] = [];
  for (const r of resources) {
    if (r.resourceType !== 'Slot') continue;
    const schedule = ref(r.schedule);
    if (!schedule) continue;
    let effecteurId: string | null = null;
    for (const actor of arrayOf(schedule.actor)) {
      const target = ref(actor);
      if (!target) continue;
      if (flavour !== 'sos' && target.resourceType === 'Practitioner') {
        const idnps = arrayOf(target.identifier).filter(isObject).find((id) => id.system === IDNPS_SYSTEM && typeof id.value === 'string' && /^8\d{11}$/.test(id.value));
        if (idnps) effecteurId = String(idnps.value).slice(1);
      }
      if (flavour === 'sos' && target.resourceType === 'Location') {
        const org = ref(target.managingOrganization);
        const idnst = arrayOf(org?.identifier).filter(isObject).find((id) => id.system === IDNST_SYSTEM && typeof id.value === 'string' && /^3\d{14}$/.test(id.value));
        if (idnst) effecteurId = String(idnst.value).slice(1);
      }
    }
    if (!effecteurId) continue; // an ADELI-only professional: the platform's slots are keyed by RPPS
    const consultationTypes = new Set<ConsultationType>();
    for (const st of arrayOf(r.serviceType).filter(isObject)) {
      for (const c of arrayOf(st.coding).filter(isObject)) {
        if (c.system === V3_ACT_CODE && typeof c.code === 'string' && c.code in CONSULTATION_CODES) consultationTypes.add(CONSULTATION_CODES[c.code as keyof typeof CONSULTATION_CODES]);
      }
    }
    const audiences = arrayOf(isObject(r.meta) ? r.meta.security : undefined).filter(isObject).map((s) => String(s.code));
    out.push({ fhirSlotId: String(r.id), effecteurId, start: new Date(String(r.start)), end: new Date(String(r.end)), consultationTypes: [...consultationTypes].sort(), audiences, bookingUrl: bookingUrlOf(r.comment) });
  }
  return out;
}

/** What the SAS may show of a vendor's answer: public or regulation-reserved slots (not PRO-only, not CPTS-only). */
export const shownBySas = (slots: readonly VendorSlot[]): VendorSlot[] => slots.filter((s) => isShownBySas(s.audiences));
