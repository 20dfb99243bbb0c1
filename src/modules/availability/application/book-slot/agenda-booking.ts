import { CommandHandler } from '../../../../shared-kernel/application/command-handler.ts';
import type { Decider } from '../../../../shared-kernel/decider/decider.ts';
import { agendaSlotId } from '../../domain/agenda-slot-id.ts';
import { MAX_PATIENTS_PER_RANGE, type BookOccurrence, type CancelBooking } from '../../domain/agenda.decider.ts';
import { agendaStreamDecider, type AgendaStreamEvent } from '../../domain/agenda.public-events.ts';
import type { AgendaState, Occurrence } from '../../domain/agenda.state.ts';
import type { AvailabilityDeps } from '../availability.deps.ts';

/** A booking command on an agenda, with what its public event carries besides the agenda's own decision. */
export type AgendaBookingCommand =
  | (BookOccurrence & { readonly orientationId: string | null })
  | (CancelBooking & { readonly reason: string | null });

/**
 * The agenda stream's decider (agenda events + their public events, one append) for the booking use cases: the
 * public `SlotBooked` also carries the orientation, and `BookingCancelled` the reason, which the agenda itself
 * does not keep.
 */
export const agendaBookingDecider: Decider<AgendaBookingCommand, AgendaStreamEvent, AgendaState> = {
  initialState: agendaStreamDecider.initialState,
  evolve: agendaStreamDecider.evolve,
  decide(command, state) {
    return agendaStreamDecider.decide(command, state).map((event) => {
      if (event.type === 'SlotBooked' && command.type === 'BookOccurrence') return { ...event, data: { ...event.data, orientationId: command.orientationId } };
      if (event.type === 'BookingCancelled' && command.type === 'CancelBooking') return { ...event, data: { ...event.data, reason: command.reason } };
      return event;
    });
  },
};

/**
 * Attempts of a booking on an agenda stream. Each failed attempt means another writer appended to the agenda in
 * between (a booking of a place, an edit); bookings alone can make a command lose at most once per place of the
 * range, so this bound lets N concurrent bookings of a range of N places all succeed, the others being refused
 * by the decider (RangeIsFull), not by running out of attempts.
 */
export const AGENDA_BOOKING_ATTEMPTS = MAX_PATIENTS_PER_RANGE + 10;

const handlers = new WeakMap<AvailabilityDeps, CommandHandler<AgendaBookingCommand, AgendaStreamEvent, AgendaState>>();

export function agendaBookings(deps: AvailabilityDeps): CommandHandler<AgendaBookingCommand, AgendaStreamEvent, AgendaState> {
  let handler = handlers.get(deps);
  if (handler === undefined) {
    handler = new CommandHandler(deps.eventStore, agendaBookingDecider, deps.newId);
    handlers.set(deps, handler);
  }
  return handler;
}

/** The occurrence of an agenda whose public slot id is `slotId` (recomputed: the id is derived, not stored). */
export function occurrenceWithSlotId(state: AgendaState, slotId: string): Occurrence | undefined {
  if (state.status !== 'open') return undefined;
  for (const o of state.occurrences.values()) if (agendaSlotId(state.effecteurId, o.occurrenceId) === slotId) return o;
  return undefined;
}
