import type { CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import { parseRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import { slotStreamName, type ConsultationType } from '../../contracts/availability.events.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';

export interface PublishSlotInput {
  readonly slotId?: string;
  readonly effecteurId: string;
  readonly start: Date;
  readonly end: Date;
  readonly consultationTypes: readonly ConsultationType[];
}

/** An effecteur publishes a manual slot; answers the slot id and whether it was new (a retry is not). */
export async function publishSlot(deps: AvailabilityDeps, input: PublishSlotInput, ctx: CommandContext) {
  const rpps = parseRpps(input.effecteurId);
  if (!rpps.ok) throw rpps.error;
  const slotId = input.slotId ?? deps.newId();
  const result = await deps.slots.handle(
    slotStreamName(slotId),
    {
      type: 'PublishSlot',
      slotId,
      effecteurId: rpps.value,
      start: input.start,
      end: input.end,
      consultationTypes: input.consultationTypes,
      now: ctx.now,
    },
    ctx,
  );
  return { slotId, created: result.events.length > 0, revision: result.revision, position: result.position };
}
