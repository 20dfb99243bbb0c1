import { conflictError, notFoundError } from '../../../../shared-kernel/errors/result.ts';
import type { CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import { agendaStreamName } from '../../contracts/availability.events.ts';
import { isHiddenByUnavailability, remainingPlaces } from '../../domain/agenda.state.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { agendaBookings, AGENDA_BOOKING_ATTEMPTS, occurrenceWithSlotId } from './agenda-booking.ts';
import { locateSlot } from './slot-locator.ts';

export interface BookSlotInput {
  readonly slotId: string;
  /** The client's Idempotency-Key, or a new id. */
  readonly bookingId: string;
  readonly orientationId: string | null;
}

export interface BookSlotResult {
  readonly bookingId: string;
  readonly slotId: string;
  readonly remainingPlaces: number;
  /** false when the same booking was sent again (nothing appended). */
  readonly created: boolean;
}

/**
 * A regulator books a place of a manual slot or of an agenda occurrence (slot or range). The append states the
 * revision the decision was made on: of concurrent bookings of one slot exactly one is appended; the others are
 * decided again on the fresh state and refused by the rules (SlotAlreadyBooked / SlotIsAlreadyBooked, RangeIsFull).
 */
export async function bookSlot(deps: AvailabilityDeps, input: BookSlotInput, ctx: CommandContext): Promise<BookSlotResult> {
  const slot = await locateSlot(deps, input.slotId);
  if (slot.kind === 'slot') {
    await refuseWhileUnavailable(deps, slot.streamName, input.slotId);
    const result = await deps.slots.handle(
      slot.streamName,
      { type: 'BookSlot', slotId: input.slotId, bookingId: input.bookingId, orientationId: input.orientationId, now: ctx.now },
      ctx,
      { retryOnConflict: true, maxAttempts: 5 },
    );
    return { bookingId: input.bookingId, slotId: input.slotId, remainingPlaces: 0, created: result.events.length > 0 };
  }

  const handler = agendaBookings(deps);
  const { state } = await handler.load(slot.streamName);
  const occurrence = occurrenceWithSlotId(state, input.slotId);
  if (occurrence === undefined) {
    if (slot.withdrawn) throw conflictError('SlotWasWithdrawn', 'Ce créneau a été retiré par le professionnel : il ne peut plus être réservé.', { slotId: input.slotId });
    throw notFoundError('SlotDoesNotExist', `Le créneau ${input.slotId} n’existe pas.`, { slotId: input.slotId });
  }
  const result = await handler.handle(
    slot.streamName,
    {
      type: 'BookOccurrence',
      effecteurId: slot.effecteurId,
      occurrenceId: occurrence.occurrenceId,
      bookingId: input.bookingId,
      orientationId: input.orientationId,
      now: ctx.now,
      by: ctx.actor,
    },
    ctx,
    { retryOnConflict: true, maxAttempts: AGENDA_BOOKING_ATTEMPTS },
  );
  const after = result.state.status === 'open' ? result.state.occurrences.get(occurrence.occurrenceId) : undefined;
  return {
    bookingId: input.bookingId,
    slotId: input.slotId,
    remainingPlaces: after ? remainingPlaces(after) : 0,
    created: result.events.length > 0,
  };
}

/**
 * A manual slot is hidden from search while its effecteur declares itself unavailable over it (the declaration lives
 * on the agenda stream): it is not booked either. Checked when the booking is decided, not in the slot's own append
 * (another aggregate); an agenda occurrence gets the same rule atomically from the agenda decider.
 */
async function refuseWhileUnavailable(deps: AvailabilityDeps, streamName: string, slotId: string): Promise<void> {
  const { state: slot } = await deps.slots.load(streamName);
  if (slot.status !== 'published') return; // unknown, booked or withdrawn: the slot decider answers
  const { state: agenda } = await agendaBookings(deps).load(agendaStreamName(slot.effecteurId));
  if (isHiddenByUnavailability(agenda, slot)) {
    throw conflictError('EffecteurIsUnavailable', 'Le professionnel s’est déclaré indisponible à cette date : ce créneau ne peut pas être réservé.', { slotId });
  }
}
