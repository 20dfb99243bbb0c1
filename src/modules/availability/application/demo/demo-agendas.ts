/**
 * Synthetic free slots for the demo directory: for the practitioners the directory registered (read from its
 * public `PractitionerRegistered` events), plausible consultation blocks between 08:00 and 20:00 Paris time
 * over the next 72 hours, some of them already taken. Deterministic for a seed and a start instant; written as
 * the same `SlotPublished` events the slot decider produces, in batches (one transaction each).
 */
import { createHash } from 'node:crypto';
import { metadataFor, systemActor, type CommandContext, type EventEnvelope } from '../../../../shared-kernel/events/envelope.ts';
import type { EventStore, StreamAppend } from '../../../../shared-kernel/event-store/event-store.port.ts';
import { SeededRandom } from '../../../../shared-kernel/random/seeded-random.ts';
import { addParisDays, fromParisLocal, parisLocalDate } from '../../../../shared-kernel/time/paris-time.ts';
import type { PractitionerRegistered } from '../../../directory/contracts/directory.events.ts';
import { slotStreamName, type ConsultationType, type SlotPublished } from '../../contracts/availability.events.ts';

export const DEMO_WINDOW_HOURS = 72;

/** Share of practitioners who publish slots, and the consultation types they offer, by profession/specialty. */
function offerOf(professionCode: string, specialtyCode: string | null): { share: number; types: readonly (readonly ConsultationType[])[] } {
  if (professionCode === '10' && ['SM54', 'SM53', 'SM26'].includes(specialtyCode ?? '')) {
    return { share: 0.75, types: [['cabinet'], ['cabinet'], ['cabinet', 'teleconsultation'], ['teleconsultation'], ['domicile']] };
  }
  if (professionCode === '10' && ['SM42', 'SM43'].includes(specialtyCode ?? '')) return { share: 0.5, types: [['cabinet'], ['cabinet', 'teleconsultation']] };
  if (professionCode === '10') return { share: 0.4, types: [['cabinet']] };
  if (professionCode === '40') return { share: 0.5, types: [['cabinet']] };
  if (professionCode === '50') return { share: 0.5, types: [['cabinet'], ['cabinet', 'teleconsultation'], ['domicile']] };
  return { share: 0, types: [] };
}

/** The slots of one practitioner in [now, now + 72 h). */
export function demoSlotsOf(rpps: string, professionCode: string, specialtyCode: string | null, now: Date, seed: number): SlotPublished['data'][] {
  const rng = new SeededRandom(hash(`${seed}:${rpps}`));
  const offer = offerOf(professionCode, specialtyCode);
  if (!rng.chance(offer.share)) return [];
  const duration = rng.pick([15, 20, 20, 30]);
  const end = now.getTime() + DEMO_WINDOW_HOURS * 3_600_000;
  const slots: SlotPublished['data'][] = [];
  for (let day = 0; day <= 3; day++) {
    if (!rng.chance(0.65)) continue;
    const date = parisLocalDate(addParisDays(now, day));
    const blocks = rng.int(1, 2);
    let dayEnd = 0; // blocks of a day never overlap
    for (let b = 0; b < blocks; b++) {
      const startMinute = Math.max(dayEnd, (b === 0 ? rng.int(8, 11) : rng.int(14, 17)) * 60 + rng.pick([0, 15, 30]));
      const count = Math.floor((rng.int(60, 180) / duration));
      const types = rng.pick(offer.types);
      for (let i = 0; i < count; i++) {
        const minute = startMinute + i * duration;
        if (minute + duration > 20 * 60) break;
        dayEnd = minute + duration;
        const taken = rng.chance(0.3);
        const start = fromParisLocal(date, `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`);
        if (taken || !start.ok) continue;
        const at = start.value.getTime();
        if (at < now.getTime() || at >= end) continue;
        slots.push({
          slotId: demoSlotId(`${rpps}:${date}:${minute}`),
          effecteurId: rpps,
          start: new Date(at).toISOString(),
          end: new Date(at + duration * 60_000).toISOString(),
          consultationTypes: types,
          source: 'manual',
        });
      }
    }
  }
  return slots;
}

/** A UUID (v8, name-based) for a demo slot: the same slot gets the same id on every run. */
function demoSlotId(name: string): string {
  const h = createHash('sha256').update(`sas-demo-slot:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function hash(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

/**
 * Publishes demo slots for the practitioners registered in the event store whose RPPS `isDemo` accepts.
 * Answers the number of slots written; slots already written (same id) make a batch fail, so a second run on
 * the same day is refused by the caller's check rather than half-applied.
 */
export async function seedDemoAgendas(
  deps: { readonly eventStore: EventStore; readonly clock: () => Date; readonly newId: () => string },
  options: { readonly isDemo: (rpps: string) => boolean; readonly seed?: number; readonly batchSize?: number; readonly onProgress?: (slots: number, practitioners: number) => void },
): Promise<{ slots: number; practitioners: number }> {
  const now = deps.clock();
  const ctx: CommandContext = { actor: systemActor, correlationId: deps.newId(), now };
  const metadata = metadataFor(ctx, deps.newId);
  const batchSize = options.batchSize ?? 2000;
  let batch: StreamAppend[] = [];
  let slots = 0;
  let practitioners = 0;
  let after = 0;
  for (;;) {
    const page = await deps.eventStore.readAll({ after, limit: 5000, filter: { eventTypes: ['PractitionerRegistered'] } });
    if (page.length === 0) break;
    after = page.at(-1)!.position;
    for (const recorded of page) {
      const data = (recorded as unknown as PractitionerRegistered).data;
      if (!options.isDemo(data.rpps)) continue;
      practitioners++;
      for (const slot of demoSlotsOf(data.rpps, data.professionCode, data.specialtyCode, now, options.seed ?? 2026)) {
        const event: EventEnvelope<SlotPublished> = { type: 'SlotPublished', data: slot, metadata: metadata() };
        batch.push({ streamName: slotStreamName(slot.slotId), events: [event], expectedRevision: 'no-stream' });
        slots++;
      }
      if (batch.length >= batchSize) {
        await deps.eventStore.appendMany(batch);
        batch = [];
        options.onProgress?.(slots, practitioners);
      }
    }
  }
  if (batch.length > 0) await deps.eventStore.appendMany(batch);
  options.onProgress?.(slots, practitioners);
  return { slots, practitioners };
}
