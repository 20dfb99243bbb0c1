import type { CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import { slotStreamName } from '../../contracts/availability.events.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';

/** An effecteur withdraws one of its manual slots. */
export async function withdrawSlot(deps: AvailabilityDeps, input: { slotId: string; reason: string | null }, ctx: CommandContext) {
  const result = await deps.slots.handle(
    slotStreamName(input.slotId),
    { type: 'WithdrawSlot', slotId: input.slotId, reason: input.reason, now: ctx.now },
    ctx,
    { retryOnConflict: true },
  );
  return { withdrawn: result.events.length > 0, revision: result.revision };
}
