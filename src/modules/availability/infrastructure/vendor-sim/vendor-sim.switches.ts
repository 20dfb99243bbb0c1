/**
 * Fault switches of the vendor simulator, settable at start and at runtime (`POST /_sim/switches`): latency with
 * jitter, HTTP 500/503 errors, requests never answered, malformed and oversized Bundles. Rates are drawn from the
 * simulator's seeded generator, so a run with the same seed and the same requests fails the same way.
 */
import { z } from 'zod';
import type { SeededRandom } from '../../../../shared-kernel/random/seeded-random.ts';
import { IDNPS_SYSTEM, IDNST_SYSTEM, type Bundle } from '../fhir/sas-fhir.ts';

/**
 * How a Bundle is broken. Modes that break a Slot or an identifier need one in the answer; without it the answer
 * loses its `total` instead, so a malformed switch always yields an invalid answer.
 */
export const MALFORMED_MODES = [
  'invalid-json',
  'wrong-resource-type',
  'wrong-bundle-type',
  'missing-total',
  'slot-without-schedule',
  'dangling-reference',
  'slot-not-free',
  'wrong-identifier-system',
] as const;
export type MalformedMode = (typeof MALFORMED_MODES)[number];

export const switchesSchema = z.strictObject({
  /** Delay before answering a FHIR request, ms. */
  latencyMs: z.number().int().min(0).max(600_000),
  /** Uniform extra delay in [0, jitterMs]. */
  jitterMs: z.number().int().min(0).max(600_000),
  /** Share of FHIR requests answered with `errorStatus` and an OperationOutcome. */
  errorRate: z.number().min(0).max(1),
  errorStatus: z.union([z.literal(500), z.literal(503)]),
  /** Share of FHIR requests never answered (the connection stays open until the client gives up). */
  timeoutRate: z.number().min(0).max(1),
  /** Break search answers this way (null: well-formed). */
  malformed: z.enum(MALFORMED_MODES).nullable(),
  /** Share of search answers broken when `malformed` is set. */
  malformedRate: z.number().min(0).max(1),
  /** Pad search answers with extra valid slots up to at least this many bytes (null: off). */
  oversizedBytes: z.number().int().min(1).max(500_000_000).nullable(),
});
export type VendorSimSwitches = z.infer<typeof switchesSchema>;
export const switchesUpdateSchema = switchesSchema.partial();

export const DEFAULT_SWITCHES: VendorSimSwitches = {
  latencyMs: 0,
  jitterMs: 0,
  errorRate: 0,
  errorStatus: 503,
  timeoutRate: 0,
  malformed: null,
  malformedRate: 1,
  oversizedBytes: null,
};

type MutableJson = Record<string, unknown>;

/** The body of a search answer once the switches have had their say. */
export function renderSearchBody(bundle: Bundle, switches: VendorSimSwitches, rng: SeededRandom): string {
  let out = bundle as unknown as MutableJson;
  if (switches.oversizedBytes !== null) out = oversize(out, switches.oversizedBytes);
  if (switches.malformed !== null && rng.chance(switches.malformedRate)) {
    if (switches.malformed === 'invalid-json') {
      const text = JSON.stringify(out);
      return text.slice(0, Math.max(1, Math.floor(text.length / 2)));
    }
    out = breakBundle(structuredClone(out), switches.malformed);
  }
  return JSON.stringify(out);
}

function entries(bundle: MutableJson): MutableJson[] {
  return Array.isArray(bundle.entry) ? (bundle.entry as MutableJson[]) : [];
}

const firstOfType = (bundle: MutableJson, type: string): MutableJson | undefined =>
  entries(bundle).map((e) => e.resource as MutableJson).find((r) => r?.resourceType === type);

function breakBundle(bundle: MutableJson, mode: Exclude<MalformedMode, 'invalid-json'>): MutableJson {
  const slot = firstOfType(bundle, 'Slot');
  switch (mode) {
    case 'wrong-resource-type':
      return { ...bundle, resourceType: 'Parameters' };
    case 'wrong-bundle-type':
      return { ...bundle, type: 'collection' };
    case 'missing-total':
      break;
    case 'slot-without-schedule':
      if (slot) return (delete slot.schedule, bundle);
      break;
    case 'dangling-reference':
      if (slot) return ((slot.schedule = { reference: 'Schedule/absent-du-bundle' }), bundle);
      break;
    case 'slot-not-free':
      if (slot) return ((slot.status = 'busy'), bundle);
      break;
    case 'wrong-identifier-system': {
      const owner = firstOfType(bundle, 'Practitioner') ?? firstOfType(bundle, 'Organization');
      const id = Array.isArray(owner?.identifier) ? (owner.identifier[0] as MutableJson) : undefined;
      if (id && (id.system === IDNPS_SYSTEM || id.system === IDNST_SYSTEM)) return ((id.system = 'urn:oid:1.2.250.1.71.4.2.9'), bundle);
      break;
    }
  }
  delete bundle.total;
  return bundle;
}

/** Adds copies of the first Slot (new ids, same schedule) until the JSON reaches `bytes`; total follows. */
function oversize(bundle: MutableJson, bytes: number): MutableJson {
  const list = entries(bundle);
  const first = list.find((e) => (e.resource as MutableJson | undefined)?.resourceType === 'Slot');
  if (!first) return bundle;
  const size = JSON.stringify(bundle).length;
  const one = JSON.stringify(first).length + 1;
  const copies = Math.max(0, Math.ceil((bytes - size) / one));
  const base = String(first.fullUrl).replace(/[^/]+$/, '');
  const extra: MutableJson[] = [];
  for (let i = 0; i < copies; i++) {
    const id = `${String((first.resource as MutableJson).id)}-x${i}`;
    extra.push({ ...first, fullUrl: `${base}${id}`, resource: { ...(first.resource as MutableJson), id } });
  }
  const slots = list.filter((e) => (e.resource as MutableJson | undefined)?.resourceType === 'Slot');
  const rest = list.filter((e) => (e.resource as MutableJson | undefined)?.resourceType !== 'Slot');
  return { ...bundle, total: Number(bundle.total ?? 0) + copies, entry: [...slots, ...extra, ...rest] };
}
