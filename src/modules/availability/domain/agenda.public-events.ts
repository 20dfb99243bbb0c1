import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import type {
  AvailabilityIntegrationEvent,
  BookingCancelled,
  SlotBooked,
  SlotChanged,
  SlotPublished,
  SlotWithdrawn,
  UnavailabilityDeclared,
} from '../contracts/availability.events.ts';
import { agendaSlotId } from './agenda-slot-id.ts';
import { agendaDecider, type AgendaCommand } from './agenda.decider.ts';
import type { AgendaEvent } from './agenda.events.ts';
import { evolveAgenda, type AgendaState, type Occurrence } from './agenda.state.ts';

/**
 * The public side of an agenda decision: the integration events (contracts/availability.events.ts) that tell
 * other modules what one decision changed in the effecteur's bookable occurrences. Derived from the agenda
 * state before and after the decision (and the decision's events, for bookings), so that every kind of change —
 * one-off, series, kept occurrences of a deleted series — is covered by one rule:
 * - an occurrence that appears → `SlotPublished` (source 'manual', slot id `agendaSlotId(rpps, occurrenceId)`);
 * - an occurrence that disappears → `SlotWithdrawn`;
 * - an occurrence whose instants or consultation types changed → `SlotChanged` (a change of capacity alone is not
 *   public: the contract carries no capacity; an edited occurrence has no booking, so its places are all free);
 * - `AgendaOccurrenceBooked` → `SlotBooked` (with the places left), `AgendaBookingCancelled` → `BookingCancelled`;
 * - any change of the unavailability → one `UnavailabilityDeclared` carrying the whole declaration as it now is.
 * Unavailability never withdraws a slot: readers hide the covered slots (see `UnavailabilityDeclared`).
 */
export type AgendaPublicEvent = AvailabilityIntegrationEvent;

const sameTypes = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);
const byStart = (a: Occurrence, b: Occurrence) => a.start.localeCompare(b.start) || a.occurrenceId.localeCompare(b.occurrenceId);

export function publicEventsOf(before: AgendaState, after: AgendaState, domainEvents: readonly AgendaEvent[]): AgendaPublicEvent[] {
  if (after.status !== 'open') return [];
  const effecteurId = after.effecteurId;
  const old = before.status === 'open' ? before.occurrences : new Map<string, Occurrence>();
  const slotId = (o: Occurrence) => agendaSlotId(effecteurId, o.occurrenceId);

  const withdrawn: SlotWithdrawn[] = [...old.values()]
    .filter((o) => !after.occurrences.has(o.occurrenceId))
    .sort(byStart)
    .map((o) => ({ type: 'SlotWithdrawn', data: { slotId: slotId(o), effecteurId, reason: 'removed-from-agenda' } }));
  const changed: SlotChanged[] = [];
  const published: SlotPublished[] = [];
  for (const o of [...after.occurrences.values()].sort(byStart)) {
    const previous = old.get(o.occurrenceId);
    const slot = { slotId: slotId(o), effecteurId, start: o.start, end: o.end, consultationTypes: o.consultationTypes, source: 'manual' as const };
    if (previous === undefined) published.push({ type: 'SlotPublished', data: slot });
    else if (previous.start !== o.start || previous.end !== o.end || !sameTypes(previous.consultationTypes, o.consultationTypes)) {
      changed.push({ type: 'SlotChanged', data: slot });
    }
  }

  const bookings: (SlotBooked | BookingCancelled)[] = [];
  let unavailabilityChanged = false;
  for (const event of domainEvents) {
    switch (event.type) {
      case 'AgendaOccurrenceBooked': {
        const d = event.data;
        bookings.push({
          type: 'SlotBooked',
          data: {
            slotId: agendaSlotId(effecteurId, d.occurrenceId),
            effecteurId,
            bookingId: d.bookingId,
            start: d.start,
            end: d.end,
            source: 'manual',
            remainingPlaces: d.remainingPlaces,
          },
        });
        break;
      }
      case 'AgendaBookingCancelled': {
        const d = event.data;
        bookings.push({
          type: 'BookingCancelled',
          data: { slotId: agendaSlotId(effecteurId, d.occurrenceId), effecteurId, bookingId: d.bookingId, reason: null, remainingPlaces: d.remainingPlaces },
        });
        break;
      }
      case 'AgendaUnavailabilityDeclared':
      case 'AgendaUnavailabilityRemoved':
      case 'AgendaIndefiniteUnavailabilitySet':
      case 'AgendaIndefiniteUnavailabilityCleared':
        unavailabilityChanged = true;
        break;
      default:
        break;
    }
  }
  const unavailability: UnavailabilityDeclared[] = unavailabilityChanged ? [unavailabilityDeclaration(after)] : [];
  return [...withdrawn, ...changed, ...published, ...bookings, ...unavailability];
}

/** The effecteur's whole current unavailability declaration, periods by start. */
export function unavailabilityDeclaration(agenda: AgendaState): UnavailabilityDeclared {
  if (agenda.status !== 'open') throw new Error('an empty agenda declares nothing');
  const periods = [...agenda.unavailabilities.values()]
    .sort((a, b) => a.start.localeCompare(b.start) || a.periodId.localeCompare(b.periodId))
    .map((p) => ({ periodId: p.periodId, start: p.start, end: p.end }));
  return { type: 'UnavailabilityDeclared', data: { effecteurId: agenda.effecteurId, periods, indefinite: agenda.indefinitelyUnavailable } };
}

/** Private agenda events (`Agenda…`), as opposed to the public events the agenda stream also carries. */
export const isAgendaEvent = (event: { readonly type: string }): event is AgendaEvent => event.type.startsWith('Agenda');

/** What the agenda stream holds: the agenda's private events and the public events derived from them. */
export type AgendaStreamEvent = AgendaEvent | AgendaPublicEvent;

/**
 * The decider of the agenda STREAM: the agenda decider, whose decisions also carry their public events, so that
 * both are appended together in one append with the expected revision (no window where the agenda changed and
 * the rest of the platform was not told, nor the reverse). Folding skips the public events.
 */
export const agendaStreamDecider: Decider<AgendaCommand, AgendaStreamEvent, AgendaState> = {
  initialState: agendaDecider.initialState,
  decide(command, state) {
    const decided = agendaDecider.decide(command, state);
    if (decided.length === 0) return [];
    let after = state;
    for (const event of decided) after = evolveAgenda(after, event);
    return [...decided, ...publicEventsOf(state, after, decided)];
  },
  evolve: (state, event) => (isAgendaEvent(event) ? evolveAgenda(state, event) : state),
};
