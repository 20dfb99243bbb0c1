/**
 * Vendor slot aggregation (issue #5 part 4): one repeatable job per vendor and batch (queue
 * `availability.vendor-aggregation`, job `poll-batch`, key `<vendorId>.<ps|sos>.<n>`) runs the guide's searches for
 * ≤ 25 identifiers, validates the answer (rejected whole and reported when bad), keeps the slots the SAS may show,
 * drops those of effecteurs who refuse vendor display, diffs against what the platform knows of that vendor and
 * batch, and appends ONLY the changes — `SlotPublished`, `SlotChanged`, `SlotWithdrawn` on each slot's stream
 * `availability.slot-<vendorSlotId(vendorId, fhirSlotId)>`, decided by the slot decider — in ONE `appendMany` per
 * batch. A `plan` job per vendor keeps the batch schedules in line with the practitioner list.
 *
 * Resilience: timeout and retries with back-off per request (fhir-http.ts), a circuit breaker per vendor
 * (domain/circuit-breaker.ts, state in availability_vendor_status, shared by every worker), and staleness: a batch
 * not refreshed for `staleTtlMs` has its slots withdrawn (`hide`, reason `vendor-stale`, published again when the
 * vendor answers) or flagged with `VendorSlotsStale` (`flag`).
 */
import { ConcurrencyError, type EventStore, type StreamAppend } from '../../../../shared-kernel/event-store/event-store.port.ts';
import { systemActor, type EventEnvelope, type EventMetadata } from '../../../../shared-kernel/events/envelope.ts';
import { fold } from '../../../../shared-kernel/decider/decider.ts';
import type { JobQueue } from '../../../../shared-kernel/jobs/jobs.port.ts';
import type { Logger } from '../../../../shared-kernel/logging/logger.ts';
import type { SqlDatabase } from '../../../../shared-kernel/sql/sql-database.ts';
import { slotStreamName, type ConsultationType, type VendorBookingMode } from '../../contracts/availability.events.ts';
import { VENDOR_WITHDRAWAL_REASONS, vendorStreamName, type VendorStalenessEvent } from '../../contracts/vendor-aggregation.events.ts';
import { admit, onFailure, onSuccess } from '../../domain/circuit-breaker.ts';
import { slotDecider, type SlotEvent, type SlotState } from '../../domain/slot.decider.ts';
import { vendorSlotId } from '../../domain/vendor-slot-id.ts';
import { knownPractitionerCount, knownPractitionersBatch } from '../../infrastructure/known-practitioners.projection.ts';
import { refusingVendorDisplay } from '../../infrastructure/vendor-display.projection.ts';
import { FhirHttpClient } from '../../infrastructure/vendors/fhir-http.ts';
import {
  batchFailed,
  batchSucceeded,
  forgetKnownSlots,
  knownSlotsById,
  knownSlotsOf,
  recordReport,
  replanAtStart,
  saveKnownSlots,
  savePlanned,
  touchBatch,
  updateCircuit,
  vendorStatus,
  type KnownSlot,
} from '../../infrastructure/vendors/vendor-aggregation.store.ts';
import type { VendorConfig, VendorRegistry } from '../../infrastructure/vendors/vendor-registry.ts';
import { practitionerSearchUrl, runSearch, searchWindow, shownBySas, sosSearchUrl, type SearchOutcome, type VendorSlot } from '../../infrastructure/vendors/vendor-search.ts';

export const AGGREGATION_QUEUE = 'availability.vendor-aggregation';
export const POLL_JOB = 'poll-batch';
export const PLAN_JOB = 'plan';
/** How often each vendor's batch schedules are re-planned (the directory grows, practitioners depart). */
export const PLAN_PERIOD_MS = 60_000;

export type BatchKind = 'ps' | 'sos';
export interface PollBatchJobData {
  readonly vendorId: string;
  readonly kind: BatchKind;
  readonly batch: number;
}

export interface AggregationDeps {
  readonly eventStore: EventStore;
  readonly readDb: SqlDatabase;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly registry: VendorRegistry;
  readonly logger: Logger;
}

export type BatchOutcome =
  | { readonly status: 'applied'; readonly published: number; readonly changed: number; readonly withdrawn: number; readonly offered: number }
  | { readonly status: 'rejected'; readonly error: string; readonly staled: number }
  | { readonly status: 'failed'; readonly error: string; readonly staled: number }
  | { readonly status: 'circuit-open'; readonly staled: number }
  | { readonly status: 'skipped'; readonly reason: string };

const batchKey = (kind: BatchKind, batch: number) => `${kind}.${batch}`;
const clients = new WeakMap<VendorConfig, FhirHttpClient>();
const httpOf = (vendor: VendorConfig) => {
  let client = clients.get(vendor);
  if (!client) clients.set(vendor, (client = new FhirHttpClient(vendor.tls)));
  return client;
};

/** The identifiers of one batch: RPPS (ps) or SIRET (sos), ≤ batchSize. */
export async function batchIdentifiers(deps: AggregationDeps, vendor: VendorConfig, kind: BatchKind, batch: number): Promise<string[]> {
  const size = vendor.batchSize;
  if (kind === 'sos') return [...vendor.sosMedecins].sort().slice(batch * size, (batch + 1) * size);
  if (vendor.practitioners === 'directory') return knownPractitionersBatch(deps.readDb, batch, size);
  return [...vendor.practitioners].sort().slice(batch * size, (batch + 1) * size);
}

/** Number of batches of each kind a vendor has now. */
export async function batchCounts(deps: AggregationDeps, vendor: VendorConfig): Promise<Record<BatchKind, number>> {
  const practitioners = vendor.practitioners === 'directory' ? await knownPractitionerCount(deps.readDb) : new Set(vendor.practitioners).size;
  return { ps: Math.ceil(practitioners / vendor.batchSize), sos: Math.ceil(new Set(vendor.sosMedecins).size / vendor.batchSize) };
}

/** Registers the two jobs on the queue (before the queue starts). */
export function registerAggregationJobs(jobs: JobQueue, deps: AggregationDeps): void {
  jobs.register<PollBatchJobData>({
    queue: AGGREGATION_QUEUE,
    name: POLL_JOB,
    // Retries of requests happen inside the poll (fhir-http.ts); a poll that fails is simply the next one's job.
    attempts: 1,
    // Polls wait on vendors and the database, not on the CPU: several run at once per worker.
    concurrency: 8,
    handler: async (data, ctx) => {
      const outcome = await pollBatch(deps, data, ctx.signal);
      if (outcome.status !== 'applied' && outcome.status !== 'skipped') deps.logger.warn({ vendorId: data.vendorId, batch: batchKey(data.kind, data.batch), outcome }, 'vendor batch not refreshed');
    },
  });
  jobs.register<{ vendorId: string }>({
    queue: AGGREGATION_QUEUE,
    name: PLAN_JOB,
    attempts: 1,
    handler: async (data) => {
      const vendor = deps.registry.get(data.vendorId);
      if (vendor) await planVendor(deps, jobs, vendor);
    },
  });
}

/** Schedules the plan job of every vendor (which schedules its batches at once, again after a restart). */
export async function scheduleAggregation(deps: AggregationDeps, jobs: JobQueue): Promise<void> {
  for (const vendor of deps.registry.all()) {
    await replanAtStart(deps.readDb, vendor.id);
    await jobs.schedule(AGGREGATION_QUEUE, PLAN_JOB, { vendorId: vendor.id }, { everyMs: Math.min(PLAN_PERIOD_MS, vendor.pollingPeriodMs) }, `${vendor.id}.plan`);
  }
}

/** One repeatable poll per batch; batches that no longer exist are unscheduled. */
export async function planVendor(deps: AggregationDeps, jobs: JobQueue, vendor: VendorConfig): Promise<Record<BatchKind, number>> {
  const counts = await batchCounts(deps, vendor);
  const status = await vendorStatus(deps.readDb, vendor.id);
  const sameSchedule = status.planned.ps === counts.ps && status.planned.sos === counts.sos && status.planned.everyMs === vendor.pollingPeriodMs;
  if (sameSchedule) return counts;
  for (const kind of ['ps', 'sos'] as const) {
    for (let batch = 0; batch < counts[kind]; batch++) {
      await jobs.schedule<PollBatchJobData>(AGGREGATION_QUEUE, POLL_JOB, { vendorId: vendor.id, kind, batch }, { everyMs: vendor.pollingPeriodMs }, `${vendor.id}.${kind}.${batch}`);
    }
    for (let batch = counts[kind]; batch < (status.planned[kind] ?? 0); batch++) await jobs.unschedule(AGGREGATION_QUEUE, `${vendor.id}.${kind}.${batch}`);
  }
  await savePlanned(deps.readDb, vendor.id, { ...counts, everyMs: vendor.pollingPeriodMs });
  return counts;
}

/** Runs every batch of a vendor once, now (CLI, tests, benchmarks); the scheduled jobs do the same over time. */
export async function pollVendor(deps: AggregationDeps, vendorId: string): Promise<BatchOutcome[]> {
  const vendor = deps.registry.get(vendorId);
  if (!vendor) return [{ status: 'skipped', reason: `éditeur ${vendorId} inconnu` }];
  const counts = await batchCounts(deps, vendor);
  const tasks: PollBatchJobData[] = [];
  for (const kind of ['ps', 'sos'] as const) for (let batch = 0; batch < counts[kind]; batch++) tasks.push({ vendorId, kind, batch });
  const outcomes: BatchOutcome[] = [];
  for (let i = 0; i < tasks.length; i += 4) outcomes.push(...(await Promise.all(tasks.slice(i, i + 4).map((t) => pollBatch(deps, t)))));
  return outcomes;
}

/** One poll of one batch. Never throws for a vendor's failure (it is recorded); throws only on the platform's own. */
export async function pollBatch(deps: AggregationDeps, data: PollBatchJobData, signal?: AbortSignal): Promise<BatchOutcome> {
  const vendor = deps.registry.get(data.vendorId);
  if (!vendor) return { status: 'skipped', reason: `éditeur ${data.vendorId} inconnu` };
  const ids = await batchIdentifiers(deps, vendor, data.kind, data.batch);
  if (ids.length === 0) return { status: 'skipped', reason: 'lot vide' };
  const key = batchKey(data.kind, data.batch);
  const now = deps.clock();
  const batchRow = await touchBatch(deps.readDb, vendor.id, key, now);
  const settings = { threshold: vendor.circuitFailureThreshold, openMs: vendor.circuitOpenMs };

  let allowed = true;
  // A closed circuit admits every poll: the locked read-modify-write is only needed while it is open.
  if ((await vendorStatus(deps.readDb, vendor.id)).circuit.state !== 'closed') {
    await updateCircuit(deps.readDb, vendor.id, (circuit) => {
      const decision = admit(circuit, now.getTime(), settings);
      allowed = decision.allowed;
      return { circuit: decision.circuit };
    });
  }
  if (!allowed) {
    const staled = await markStaleIfDue(deps, vendor, key, ids, batchRow, now, 'circuit ouvert');
    return { status: 'circuit-open', staled };
  }

  const window = searchWindow(now);
  const http = httpOf(vendor);
  const options = { timeoutMs: vendor.timeoutMs, maxBytes: vendor.maxBundleBytes, retries: vendor.retries, retryDelayMs: vendor.retryDelayMs, maxPages: vendor.maxPages, ...(signal ? { signal } : {}) };
  const outcomes: SearchOutcome[] = [];
  if (data.kind === 'ps') {
    const requested = ids.map((id) => `8${id}`);
    outcomes.push(await runSearch(http, { flavour: 'ps', url: practitionerSearchUrl(vendor.fhirBaseUrl, ids, window, false), base: vendor.fhirBaseUrl, window, requested }, options));
    if (vendor.cpts && outcomes[0]!.ok) {
      outcomes.push(await runSearch(http, { flavour: 'cpts', url: practitionerSearchUrl(vendor.fhirBaseUrl, ids, window, true), base: vendor.fhirBaseUrl, window, requested }, options));
    }
  } else {
    outcomes.push(await runSearch(http, { flavour: 'sos', url: sosSearchUrl(vendor.fhirBaseUrl, ids, window), base: vendor.fhirBaseUrl, window, requested: ids.map((id) => `3${id}`) }, options));
  }

  const unreachable = outcomes.find((o) => !o.ok && o.kind === 'unreachable');
  if (unreachable && !unreachable.ok) {
    await updateCircuit(deps.readDb, vendor.id, (circuit) => ({ circuit: onFailure(circuit, now.getTime(), settings), error: { at: now, message: unreachable.error } }));
    const staled = await markStaleIfDue(deps, vendor, key, ids, batchRow, now, unreachable.error);
    return { status: 'failed', error: unreachable.error, staled };
  }
  // The vendor answered: its circuit closes, even if the answer is then rejected.
  const rejected = outcomes.find((o) => !o.ok && o.kind === 'rejected');
  if (rejected && !rejected.ok && rejected.kind === 'rejected') {
    await updateCircuit(deps.readDb, vendor.id, (circuit) => ({ circuit: onSuccess(circuit), error: { at: now, message: `réponse rejetée : ${rejected.error}` } }));
    await recordReport(deps.readDb, vendor.id, key, now, rejected.error, rejected.problems);
    deps.logger.warn({ vendorId: vendor.id, batch: key, error: rejected.error, problems: rejected.problems.slice(0, 5) }, 'vendor answer rejected whole: nothing applied');
    const staled = await markStaleIfDue(deps, vendor, key, ids, batchRow, now, `réponse rejetée : ${rejected.error}`);
    return { status: 'rejected', error: rejected.error, staled };
  }

  const offered = new Map<string, VendorSlot>();
  for (const o of outcomes) if (o.ok) for (const s of shownBySas(o.slots)) offered.set(s.fhirSlotId, s);
  const refused = await refusingVendorDisplay(deps.readDb, [...new Set([...ids, ...[...offered.values()].map((s) => s.effecteurId)])]);
  for (const [id, s] of offered) if (refused.has(s.effecteurId)) offered.delete(id);
  const counts = await applyDiff(deps, vendor, ids, [...offered.values()], refused, now);
  await batchSucceeded(deps.readDb, vendor.id, key, now);
  await updateCircuit(deps.readDb, vendor.id, (circuit) => ({ circuit: onSuccess(circuit), success: now }));
  return { status: 'applied', ...counts, offered: offered.size };
}

// ---- the diff ---------------------------------------------------------------------------------------------------

const stateOf = (k: KnownSlot | undefined): SlotState => {
  if (!k) return { status: 'initial' };
  const slot = { slotId: k.slotId, effecteurId: k.effecteurId, start: k.start, end: k.end, consultationTypes: k.consultationTypes, cancelledBookingIds: [], ...(k.bookingMode ? { bookingMode: k.bookingMode } : {}) };
  if (k.status === 'withdrawn') return { status: 'withdrawn', slotId: k.slotId, effecteurId: k.effecteurId, cancelledBookingIds: [] };
  if (k.status === 'booked') return { ...slot, status: 'booked', bookingId: '' };
  return { ...slot, status: 'published' };
};

/**
 * The known row of a slot in `state`; a withdrawn slot keeps the times it had (`previous`), to be forgotten once past.
 * `bookingUrl`: the vendor's booking page as last offered (kept from `previous` when not given).
 */
const knownFrom = (
  vendorId: string,
  fhirSlotId: string,
  slotId: string,
  state: SlotState,
  revision: number,
  stale: boolean,
  previous?: KnownSlot,
  bookingUrl: string | null = previous?.bookingUrl ?? null,
): KnownSlot | null => {
  if (state.status === 'initial') return null;
  if (state.status === 'withdrawn') {
    const end = previous?.end ?? new Date(0).toISOString();
    return { slotId, vendorId, fhirSlotId, effecteurId: state.effecteurId, start: previous?.start ?? end, end, consultationTypes: previous?.consultationTypes ?? [], status: 'withdrawn', revision, stale: false, bookingUrl, bookingMode: previous?.bookingMode ?? null };
  }
  return {
    slotId,
    vendorId,
    fhirSlotId,
    effecteurId: state.effecteurId,
    start: state.start,
    end: state.end,
    consultationTypes: [...(state.consultationTypes ?? [])].sort() as ConsultationType[],
    status: state.status,
    revision,
    stale,
    bookingUrl,
    bookingMode: state.bookingMode ?? null,
  };
};

/** How a vendor's slots are booked: through it (end-to-end redirect) or by calling the practitioner. */
export const bookingModeOf = (vendor: VendorConfig): VendorBookingMode => (vendor.capability === 'end-to-end' ? 'end-to-end' : 'phone');

interface Planned {
  readonly slotId: string;
  readonly fhirSlotId: string;
  readonly events: readonly SlotEvent[];
  readonly before: KnownSlot | undefined;
  /** The booking URL to keep for it (the one offered now, or the known one). */
  readonly bookingUrl: string | null;
}

/** Decides every slot of the batch against what is known, and appends all changes in one call. */
async function applyDiff(
  deps: AggregationDeps,
  vendor: VendorConfig,
  ids: readonly string[],
  offered: readonly VendorSlot[],
  refused: ReadonlySet<string>,
  now: Date,
): Promise<{ published: number; changed: number; withdrawn: number }> {
  const offeredById = new Map(offered.map((s) => [vendorSlotId(vendor.id, s.fhirSlotId), s]));
  for (let attempt = 1; ; attempt++) {
    const known = new Map((await knownSlotsOf(deps.readDb, vendor.id, [...new Set([...ids, ...offered.map((s) => s.effecteurId)])])).map((k) => [k.slotId, k]));
    for (const k of await knownSlotsById(deps.readDb, [...offeredById.keys()].filter((id) => !known.has(id)))) known.set(k.slotId, k);
    const planned: Planned[] = [];
    const forgotten: string[] = [];
    for (const [slotId, s] of offeredById) {
      const events = slotDecider.decide(
        { type: 'SyncVendorSlot', slotId, effecteurId: s.effecteurId, start: s.start, end: s.end, consultationTypes: s.consultationTypes.length > 0 ? s.consultationTypes : ['cabinet'], bookingMode: bookingModeOf(vendor) },
        stateOf(known.get(slotId)),
      );
      const before = known.get(slotId);
      // A new booking URL alone is no public change: only the known row is updated.
      if (events.length > 0 || before?.stale || (before && before.bookingUrl !== s.bookingUrl)) planned.push({ slotId, fhirSlotId: s.fhirSlotId, events, before, bookingUrl: s.bookingUrl });
    }
    for (const k of known.values()) {
      if (offeredById.has(k.slotId)) continue;
      if (Date.parse(k.start) < now.getTime() || (k.status === 'withdrawn' && Date.parse(k.end) < now.getTime())) {
        forgotten.push(k.slotId); // started or long gone: out of every window, nothing to say about it
        continue;
      }
      if (k.status !== 'published') continue; // withdrawn already; booked: the booking stands
      const reason = refused.has(k.effecteurId) ? VENDOR_WITHDRAWAL_REASONS.refused : VENDOR_WITHDRAWAL_REASONS.gone;
      const events = slotDecider.decide({ type: 'WithdrawSlot', slotId: k.slotId, reason, now }, stateOf(k));
      planned.push({ slotId: k.slotId, fhirSlotId: k.fhirSlotId, events, before: k, bookingUrl: k.bookingUrl });
    }
    try {
      const written = await appendPlanned(deps, vendor, planned, now);
      await saveKnownSlots(deps.readDb, written);
      await forgetKnownSlots(deps.readDb, forgotten);
      const refreshed = planned.filter((p) => p.before?.stale && offeredById.has(p.slotId));
      if (refreshed.length > 0) {
        await appendStaleness(deps, vendor, { type: 'VendorSlotsRefreshed', data: { vendorId: vendor.id, slotIds: refreshed.map((p) => p.slotId), effecteurIds: [...new Set(refreshed.map((p) => p.before!.effecteurId))] } }, now);
      }
      const count = (type: SlotEvent['type']) => planned.reduce((n, p) => n + p.events.filter((e) => e.type === type).length, 0);
      return { published: count('SlotPublished'), changed: count('SlotChanged'), withdrawn: count('SlotWithdrawn') };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= 3) throw error;
      // What we knew was behind the streams (a booking, a concurrent poll, a lost write): read the truth, decide again.
      await reloadFromStreams(deps, vendor, planned.map((p) => ({ slotId: p.slotId, fhirSlotId: p.fhirSlotId })));
    }
  }
}

/** One appendMany for the whole batch; answers the known rows as they stand after it. */
async function appendPlanned(deps: AggregationDeps, vendor: VendorConfig, planned: readonly Planned[], now: Date): Promise<KnownSlot[]> {
  const metadata = metadataFactory(deps, now);
  const appends: StreamAppend[] = [];
  const parts: Planned[] = [];
  for (const p of planned) {
    if (p.events.length === 0) continue;
    appends.push({
      streamName: slotStreamName(p.slotId),
      events: p.events.map((e) => ({ ...e, metadata: metadata() }) as EventEnvelope),
      expectedRevision: p.before ? p.before.revision : 'no-stream',
    });
    parts.push(p);
  }
  const results = appends.length > 0 ? await deps.eventStore.appendMany(appends) : [];
  const rows: KnownSlot[] = [];
  for (const [i, p] of parts.entries()) {
    const state = fold(slotDecider, p.events, stateOf(p.before));
    const row = knownFrom(vendor.id, p.fhirSlotId, p.slotId, state, results[i]!.nextExpectedRevision, false, p.before, p.bookingUrl);
    if (row) rows.push(row);
  }
  // Stale rows confirmed, or a booking URL changed, without any event: only the row changes.
  for (const p of planned) if (p.events.length === 0 && p.before && (p.before.stale || p.before.bookingUrl !== p.bookingUrl)) rows.push({ ...p.before, stale: false, bookingUrl: p.bookingUrl });
  return rows;
}

async function reloadFromStreams(deps: AggregationDeps, vendor: VendorConfig, slots: readonly { slotId: string; fhirSlotId: string }[]): Promise<void> {
  const rows: KnownSlot[] = [];
  const previous = new Map((await knownSlotsById(deps.readDb, slots.map((s) => s.slotId))).map((k) => [k.slotId, k]));
  for (const s of slots) {
    const recorded = await deps.eventStore.readStream(slotStreamName(s.slotId));
    if (recorded.length === 0) continue;
    const state = fold(slotDecider, recorded as unknown as SlotEvent[]);
    const row = knownFrom(vendor.id, s.fhirSlotId, s.slotId, state, recorded[recorded.length - 1]!.streamRevision, false, previous.get(s.slotId));
    if (row) rows.push(row);
  }
  await saveKnownSlots(deps.readDb, rows);
}

function metadataFactory(deps: AggregationDeps, now: Date): () => EventMetadata {
  const correlationId = deps.newId();
  return () => ({ eventId: deps.newId(), correlationId, causationId: null, actor: systemActor, occurredAt: now.toISOString(), schemaVersion: 1 });
}

async function appendStaleness(deps: AggregationDeps, vendor: VendorConfig, event: VendorStalenessEvent, now: Date): Promise<void> {
  await deps.eventStore.appendToStream(vendorStreamName(vendor.id), [{ ...event, metadata: metadataFactory(deps, now)() }], { expectedRevision: 'any' });
}

// ---- staleness --------------------------------------------------------------------------------------------------

/**
 * After a failed or skipped poll: when the batch has not been refreshed for `staleTtlMs`, its slots become stale —
 * withdrawn (`hide`) or flagged (`flag`). Answers how many slots were marked now.
 */
async function markStaleIfDue(
  deps: AggregationDeps,
  vendor: VendorConfig,
  key: string,
  ids: readonly string[],
  batch: { readonly firstAttemptAt: string; readonly lastSuccessAt: string | null; readonly stale: boolean },
  now: Date,
  error: string,
): Promise<number> {
  const since = Date.parse(batch.lastSuccessAt ?? batch.firstAttemptAt);
  const due = now.getTime() - since >= vendor.staleTtlMs;
  if (!due) {
    await batchFailed(deps.readDb, vendor.id, key, error, false);
    return 0;
  }
  const known = (await knownSlotsOf(deps.readDb, vendor.id, ids)).filter((k) => k.status === 'published' && !k.stale && Date.parse(k.start) >= now.getTime());
  let marked = 0;
  if (known.length > 0) {
    if (vendor.staleBehaviour === 'hide') {
      const planned = known.map((k) => ({ slotId: k.slotId, fhirSlotId: k.fhirSlotId, before: k, bookingUrl: k.bookingUrl, events: slotDecider.decide({ type: 'WithdrawSlot', slotId: k.slotId, reason: VENDOR_WITHDRAWAL_REASONS.stale, now }, stateOf(k)) }));
      try {
        await saveKnownSlots(deps.readDb, await appendPlanned(deps, vendor, planned, now));
        marked = known.length;
      } catch (e) {
        if (!(e instanceof ConcurrencyError)) throw e;
        await reloadFromStreams(deps, vendor, planned); // the next failed poll tries again on fresh state
      }
    } else {
      await appendStaleness(deps, vendor, { type: 'VendorSlotsStale', data: { vendorId: vendor.id, slotIds: known.map((k) => k.slotId), effecteurIds: [...new Set(known.map((k) => k.effecteurId))], lastSuccessAt: batch.lastSuccessAt } }, now);
      await saveKnownSlots(deps.readDb, known.map((k) => ({ ...k, stale: true })));
      marked = known.length;
    }
    if (marked > 0) deps.logger.warn({ vendorId: vendor.id, batch: key, slots: marked, behaviour: vendor.staleBehaviour }, 'vendor slots marked stale');
  }
  await batchFailed(deps.readDb, vendor.id, key, error, true);
  return marked;
}
