import { systemActor, type CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import type { ConsultationType } from '../../contracts/availability.events.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { publishSlot } from '../publish-slot/publish-slot.handler.ts';

/** Demo effecteurs (synthetic RPPS numbers with a valid check digit, not real doctors). */
export const DEMO_EFFECTEURS = ['10000000009', '10000000017', '10991003103'] as const;

const HOUR = 3_600_000;

/** Publishes a realistic spread of manual slots over the next 48 hours for the demo effecteurs. */
export async function seedDemoSlots(deps: AvailabilityDeps): Promise<number> {
  const now = deps.clock();
  const firstHour = Math.ceil(now.getTime() / HOUR) * HOUR + HOUR;
  const ctx: CommandContext = { actor: systemActor, correlationId: deps.newId(), now };
  const types: readonly (readonly ConsultationType[])[] = [['cabinet'], ['cabinet', 'teleconsultation'], ['domicile']];
  let published = 0;
  for (const [i, effecteurId] of DEMO_EFFECTEURS.entries()) {
    for (let h = i; h < 48; h += 5) {
      const start = new Date(firstHour + h * HOUR);
      await publishSlot(deps, { effecteurId, start, end: new Date(start.getTime() + 20 * 60_000), consultationTypes: types[i] ?? ['cabinet'] }, ctx);
      published++;
    }
  }
  return published;
}
