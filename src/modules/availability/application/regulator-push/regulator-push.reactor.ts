/**
 * The reactor of the regulator push: a subscription to identity's public account events (streams
 * `identity.account-…`, through the projection runner, from a checkpoint). For each batch it folds the events into
 * availability's own account table (position guard: an event delivered twice is folded once), then for every account
 * concerned and every end-to-end vendor plans the push and enqueues one job when the vendor lacks the account's current
 * state (job id = account, vendor and the event's position, so a batch delivered again adds no job).
 *
 * Delivery is at least once (external projection: checkpoint after the jobs are enqueued): after a crash the same
 * events come again; the fold skips them and the plan finds the state already sent or already pending.
 * A rebuild replays the history: the fold changes nothing and only accounts whose state was never sent get a job.
 */
import type { ExternalProjection } from '../../../../shared-kernel/projections/projection.ts';
import { accountStreamName } from '../../../identity/contracts/identity.events.ts';
import { foldAccountEvents } from '../../infrastructure/regulator-push/regulator-push.store.ts';
import { requestPushes, type RegulatorPushDeps } from './regulator-push.job.ts';

export const REGULATOR_PUSH_REACTOR = 'availability_regulator_push';

export function regulatorPushReactor(deps: RegulatorPushDeps): ExternalProjection {
  return {
    kind: 'external',
    name: REGULATOR_PUSH_REACTOR,
    filter: { streamPrefix: accountStreamName('') },
    async apply(events) {
      const accountIds = await foldAccountEvents(deps.readDb, events);
      const lastPosition = new Map<string, number>();
      for (const e of events) {
        const accountId = (e.data as { accountId?: unknown }).accountId;
        if (typeof accountId === 'string') lastPosition.set(accountId, e.position);
      }
      await requestPushes(deps, accountIds, (accountId) => `p${lastPosition.get(accountId) ?? 0}`);
    },
  };
}
