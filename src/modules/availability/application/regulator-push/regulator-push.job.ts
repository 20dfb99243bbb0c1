/**
 * Regulator accounts pushed to the end-to-end booking vendors (guide flow INT_R02, issue #5 part 7). Queue
 * `availability.regulator-push`:
 * - job `push` {accountId, vendorId}: sends the account's current state to one vendor — `PUT
 *   [base]/Practitioner?identifier=urn:oid:1.2.250.1.213.3.6|{accountId}` with FrPractitionerRegul, `active=false` for a
 *   deactivation (the guide has no delete) — unless the vendor already has exactly that state (hash of the last
 *   resource sent). The PUT is a conditional update keyed on the account's never-changing SAS technical id: sending it
 *   again (a replayed job, a lost answer) updates the same account and never creates a second one. After a send the
 *   account is read again and sent again if it changed meanwhile, so concurrent jobs converge on the latest state.
 * - failures: a transient one (timeout, network, 5xx, 429; already retried inside the attempt with the vendor's
 *   `retries`/`retryDelayMs`) plans the next attempt with exponential back-off (`retryDelayMs` × 4ⁿ, status `retrying`)
 *   up to PUSH_ATTEMPTS, then `failed`; a refusal (4xx: the vendor holds another active account with this IDNPS…) is
 *   `failed` at once, with the vendor's OperationOutcome diagnostics.
 * - job `sweep` (every SWEEP_PERIOD_MS): takes up again pushes failed for a transient reason and pushes left pending
 *   (a job lost with its queue), so a vendor that comes back after a long outage receives its accounts.
 * The gestionnaire de comptes sees the status per vendor and can ask for a retry (regulator-push.routes.ts).
 */
import type { JobContext, JobQueue } from '../../../../shared-kernel/jobs/jobs.port.ts';
import type { Logger } from '../../../../shared-kernel/logging/logger.ts';
import type { SqlDatabase } from '../../../../shared-kernel/sql/sql-database.ts';
import { regulatorPractitioner, regulatorPutUrl } from '../../infrastructure/fhir/regulator-practitioner.ts';
import type { FhirResource } from '../../infrastructure/fhir/sas-fhir.ts';
import {
  forgetPush,
  markFailure,
  markPending,
  markSent,
  markUpToDate,
  pushesToSweep,
  pushRow,
  regulatorAccount,
  type PushRow,
} from '../../infrastructure/regulator-push/regulator-push.store.ts';
import { FhirHttpClient, VendorFetchError } from '../../infrastructure/vendors/fhir-http.ts';
import type { VendorConfig, VendorRegistry } from '../../infrastructure/vendors/vendor-registry.ts';
import { activeAtVendors, type RegulatorAccount } from './regulator-account.ts';

export const REGULATOR_PUSH_QUEUE = 'availability.regulator-push';
export const PUSH_JOB = 'push';
export const SWEEP_JOB = 'sweep';
/** Attempts of one push before it is `failed` (each attempt itself retries the request `retries` times). */
export const PUSH_ATTEMPTS = 6;
/** Longest wait between two attempts. */
export const MAX_PUSH_DELAY_MS = 10 * 60_000;
export const SWEEP_PERIOD_MS = 10 * 60_000;
/** A push pending or retrying for longer than this was lost (its job is gone): the sweep enqueues it again. */
export const LOST_PUSH_MS = 30 * 60_000;
/** Largest answer read from a vendor for a PUT (the resource sent back, or an OperationOutcome). */
const MAX_ANSWER_BYTES = 1024 * 1024;

export interface PushRegulatorJobData {
  readonly accountId: string;
  readonly vendorId: string;
  /** 1 for the first attempt, then one more per planned retry. */
  readonly attempt: number;
  /** What asked for it (`p<position>` an account event, `m<uuid>` a manual retry, `s<ms>` the sweep): part of the job id. */
  readonly trigger: string;
  /** Send even if the vendor has this state already (manual retry: the vendor may have lost it). */
  readonly force: boolean;
}

export interface RegulatorPushDeps {
  readonly readDb: SqlDatabase;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly logger: Logger;
  readonly registry: VendorRegistry;
  readonly jobs: JobQueue;
}

/** What a push has to do for one account and vendor, given what was last sent there. */
export type PushPlan =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'up-to-date' }
  | { readonly kind: 'invalid'; readonly error: string }
  | { readonly kind: 'send'; readonly resource: FhirResource; readonly hash: string; readonly active: boolean };

/**
 * - an account that is not (or no longer) a regulator and that the vendor never received: nothing;
 * - deactivated, or no longer a regulator, after the vendor received it: `active=false` once, then nothing more;
 * - otherwise the resource, unless its hash is the one last sent (`force` sends it anyway).
 */
export function planPush(account: RegulatorAccount | null, row: PushRow | null, force = false): PushPlan {
  if (!account) return { kind: 'nothing' };
  const active = activeAtVendors(account);
  if (!active && !row?.sentHash) return { kind: 'nothing' };
  if (!active && row?.sentActive === false && !force) return { kind: 'up-to-date' };
  const built = regulatorPractitioner({ ...account, active });
  if (!built.ok) return { kind: 'invalid', error: built.error };
  if (!force && row?.sentHash === built.hash) return { kind: 'up-to-date' };
  return { kind: 'send', resource: built.resource, hash: built.hash, active };
}

/** The end-to-end vendors: only they receive regulator accounts. */
export const endToEndVendors = (registry: VendorRegistry): VendorConfig[] => registry.all().filter((v) => v.capability === 'end-to-end');

const jobIdOf = (d: PushRegulatorJobData) => `rp.${d.vendorId}.${d.accountId}.${d.trigger}.${d.attempt}`;

/**
 * For each account and end-to-end vendor (or `vendorIds`), plans the push and, when something is to be sent, marks it
 * pending and enqueues its job. Answers the pushes enqueued.
 */
export async function requestPushes(
  deps: RegulatorPushDeps,
  accountIds: readonly string[],
  trigger: (accountId: string) => string,
  options: { force?: boolean; vendorIds?: readonly string[] } = {},
): Promise<{ accountId: string; vendorId: string }[]> {
  const vendors = endToEndVendors(deps.registry).filter((v) => !options.vendorIds || options.vendorIds.includes(v.id));
  const enqueued: { accountId: string; vendorId: string }[] = [];
  for (const accountId of accountIds) {
    const account = await regulatorAccount(deps.readDb, accountId);
    for (const vendor of vendors) {
      const row = await pushRow(deps.readDb, accountId, vendor.id);
      const plan = planPush(account, row, options.force === true);
      const now = deps.clock();
      if (plan.kind === 'nothing') {
        if (row) await forgetPush(deps.readDb, accountId, vendor.id);
        continue;
      }
      if (plan.kind === 'up-to-date') {
        if (row && row.status !== 'sent') await markUpToDate(deps.readDb, accountId, vendor.id, now);
        continue;
      }
      if (plan.kind === 'invalid') {
        await markFailure(deps.readDb, accountId, vendor.id, { status: 'failed', error: plan.error, attempts: 0, retryable: false, nextAttemptAt: null }, now);
        continue;
      }
      await markPending(deps.readDb, accountId, vendor.id, now);
      const data: PushRegulatorJobData = { accountId, vendorId: vendor.id, attempt: 1, trigger: trigger(accountId), force: options.force === true };
      await deps.jobs.enqueue(REGULATOR_PUSH_QUEUE, PUSH_JOB, data, { jobId: jobIdOf(data) });
      enqueued.push({ accountId, vendorId: vendor.id });
    }
  }
  return enqueued;
}

const clients = new WeakMap<VendorConfig, FhirHttpClient>();
const httpOf = (vendor: VendorConfig) => {
  let client = clients.get(vendor);
  if (!client) clients.set(vendor, (client = new FhirHttpClient(vendor.tls)));
  return client;
};

/** A vendor's failure in words, with its OperationOutcome's diagnostics when it sent one. */
export function describeFailure(error: unknown): string {
  if (!(error instanceof VendorFetchError)) return error instanceof Error ? error.message : String(error);
  if (error.kind === 'timeout') return `Pas de réponse de l’éditeur (${error.message}).`;
  if (error.kind === 'network') return `Éditeur injoignable (${error.message}).`;
  if (error.kind === 'too-large') return `Réponse de l’éditeur trop volumineuse (${error.message}).`;
  let diagnostics: string[] = [];
  try {
    const outcome = JSON.parse(error.body ?? '') as { resourceType?: string; issue?: { diagnostics?: unknown }[] };
    if (outcome.resourceType === 'OperationOutcome') diagnostics = (outcome.issue ?? []).map((i) => i.diagnostics).filter((d): d is string => typeof d === 'string');
  } catch {
    // not JSON: the status alone
  }
  return `L’éditeur a répondu ${error.message}${diagnostics.length > 0 ? ` : ${diagnostics.join(' ').slice(0, 1_000)}` : '.'}`;
}

export const retryDelayMs = (vendor: VendorConfig, attempt: number): number => Math.min(MAX_PUSH_DELAY_MS, vendor.retryDelayMs * 4 ** (attempt - 1));

/** Runs one push job. Throws only on the platform's own failures (the job queue then retries the job). */
export async function pushRegulator(deps: RegulatorPushDeps, data: PushRegulatorJobData, ctx?: Pick<JobContext, 'signal'>): Promise<void> {
  const vendor = deps.registry.get(data.vendorId);
  if (!vendor || vendor.capability !== 'end-to-end') return;
  const { accountId } = data;
  // A second round sends what changed while the first was on its way (at most twice more: then the change's own job).
  for (let round = 0; round < 3; round++) {
    const account = await regulatorAccount(deps.readDb, accountId);
    const row = await pushRow(deps.readDb, accountId, vendor.id);
    const plan = planPush(account, row, data.force && round === 0);
    if (plan.kind === 'nothing') return void (row && (await forgetPush(deps.readDb, accountId, vendor.id)));
    if (plan.kind === 'up-to-date') return void (row && row.status !== 'sent' && (await markUpToDate(deps.readDb, accountId, vendor.id, deps.clock())));
    if (plan.kind === 'invalid') {
      await markFailure(deps.readDb, accountId, vendor.id, { status: 'failed', error: plan.error, attempts: data.attempt, retryable: false, nextAttemptAt: null }, deps.clock());
      return;
    }
    try {
      await httpOf(vendor).put(regulatorPutUrl(vendor.fhirBaseUrl, accountId), plan.resource, {
        timeoutMs: vendor.timeoutMs,
        maxBytes: MAX_ANSWER_BYTES,
        retries: vendor.retries,
        retryDelayMs: vendor.retryDelayMs,
        ...(ctx?.signal ? { signal: ctx.signal } : {}),
      });
    } catch (error) {
      const transient = error instanceof VendorFetchError ? error.transient : true;
      const message = describeFailure(error);
      const now = deps.clock();
      deps.logger.warn({ accountId, vendorId: vendor.id, attempt: data.attempt, transient, error: message }, 'regulator account not pushed to the vendor');
      if (transient && data.attempt < PUSH_ATTEMPTS) {
        const delayMs = retryDelayMs(vendor, data.attempt);
        await markFailure(deps.readDb, accountId, vendor.id, { status: 'retrying', error: message, attempts: data.attempt, retryable: true, nextAttemptAt: new Date(now.getTime() + delayMs) }, now);
        const next: PushRegulatorJobData = { ...data, attempt: data.attempt + 1 };
        await deps.jobs.enqueue(REGULATOR_PUSH_QUEUE, PUSH_JOB, next, { jobId: jobIdOf(next), delayMs });
      } else {
        await markFailure(deps.readDb, accountId, vendor.id, { status: 'failed', error: message, attempts: data.attempt, retryable: transient, nextAttemptAt: null }, now);
      }
      return;
    }
    await markSent(deps.readDb, accountId, vendor.id, { hash: plan.hash, active: plan.active }, deps.clock());
    deps.logger.info({ accountId, vendorId: vendor.id, active: plan.active }, 'regulator account pushed to the vendor');
  }
}

/** Takes up again the pushes failed for a transient reason and those lost with their job. */
export async function sweepPushes(deps: RegulatorPushDeps): Promise<number> {
  const now = deps.clock();
  const rows = await pushesToSweep(deps.readDb, now, LOST_PUSH_MS);
  let enqueued = 0;
  for (const r of rows) enqueued += (await requestPushes(deps, [r.accountId], () => `s${now.getTime()}`, { vendorIds: [r.vendorId] })).length;
  return enqueued;
}

export function registerRegulatorPushJobs(jobs: JobQueue, deps: RegulatorPushDeps): void {
  jobs.register<PushRegulatorJobData>({
    queue: REGULATOR_PUSH_QUEUE,
    name: PUSH_JOB,
    // The vendor's failures are handled inside (retrying / failed); these attempts are for the platform's own (database).
    attempts: 3,
    // Pushes wait on vendors: a vendor that times out must not hold back the others.
    concurrency: 4,
    handler: (data, ctx) => pushRegulator(deps, data, ctx),
  });
  jobs.register<Record<string, never>>({ queue: REGULATOR_PUSH_QUEUE, name: SWEEP_JOB, attempts: 1, handler: async () => void (await sweepPushes(deps)) });
}

export async function scheduleRegulatorSweep(jobs: JobQueue): Promise<void> {
  await jobs.schedule(REGULATOR_PUSH_QUEUE, SWEEP_JOB, {}, { everyMs: SWEEP_PERIOD_MS }, 'sweep');
}
