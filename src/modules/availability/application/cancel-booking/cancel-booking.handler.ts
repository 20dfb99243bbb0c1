import { notFoundError } from '../../../../shared-kernel/errors/result.ts';
import type { CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import { agendaSlotId } from '../../domain/agenda-slot-id.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';
import { agendaBookings, AGENDA_BOOKING_ATTEMPTS } from '../book-slot/agenda-booking.ts';
import { locateSlot } from '../book-slot/slot-locator.ts';

/** Why a booking is cancelled: a code, never free text (free text could carry a patient's name). */
export const CANCELLATION_REASONS = ['desistement-patient', 'professionnel-empeche', 'erreur-orientation', 'autre'] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

/** Cancels a booking of a slot: its place is free again. Cancelling twice changes nothing; an unknown booking is 404. */
export async function cancelBooking(
  deps: AvailabilityDeps,
  input: { slotId: string; bookingId: string; reason: CancellationReason | null },
  ctx: CommandContext,
): Promise<{ cancelled: boolean }> {
  const slot = await locateSlot(deps, input.slotId);
  if (slot.kind === 'slot') {
    const result = await deps.slots.handle(
      slot.streamName,
      { type: 'CancelBooking', slotId: input.slotId, bookingId: input.bookingId, reason: input.reason },
      ctx,
      { retryOnConflict: true, maxAttempts: 5 },
    );
    return { cancelled: result.events.length > 0 };
  }
  const handler = agendaBookings(deps);
  const { state } = await handler.load(slot.streamName);
  const booking = state.status === 'open' ? state.bookings.get(input.bookingId) : undefined;
  // A booking id of this agenda but of another of its slots is not a booking of this slot.
  if (booking === undefined || agendaSlotId(slot.effecteurId, booking.occurrenceId) !== input.slotId) {
    throw notFoundError('BookingDoesNotExist', 'Cette réservation n’existe pas pour ce créneau.', { bookingId: input.bookingId });
  }
  const result = await handler.handle(
    slot.streamName,
    { type: 'CancelBooking', effecteurId: slot.effecteurId, bookingId: input.bookingId, reason: input.reason, now: ctx.now, by: ctx.actor },
    ctx,
    { retryOnConflict: true, maxAttempts: AGENDA_BOOKING_ATTEMPTS },
  );
  return { cancelled: result.events.length > 0 };
}
