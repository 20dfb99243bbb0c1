import { fold } from '../../src/shared-kernel/decider/decider.ts';
import type { Actor } from '../../src/shared-kernel/events/envelope.ts';
import type { ConsultationType } from '../../src/modules/availability/contracts/availability.events.ts';
import type { Weekday } from '../../src/modules/availability/domain/agenda.calendar.ts';
import {
  agendaDecider,
  type AgendaCommand,
  type BookOccurrence,
  type CancelBooking,
  type CreateAvailability,
  type ModifyOccurrence,
  type ModifySeries,
} from '../../src/modules/availability/domain/agenda.decider.ts';
import type { AgendaEvent } from '../../src/modules/availability/domain/agenda.events.ts';
import type { AgendaState, OpenAgenda } from '../../src/modules/availability/domain/agenda.state.ts';

/** Builders shared by the agenda tests. */

export const RPPS = '10000000009'; // a syntactically valid RPPS (Luhn)
export const EFFECTEUR: Actor = { accountId: 'acc-effecteur', role: 'effecteur' };
export const STRUCTURE_MANAGER: Actor = { accountId: 'acc-sos-medecins', role: 'gestionnaire-structure' };
export const REGULATOR: Actor = { accountId: 'acc-osnp', role: 'osnp' };

/** Monday 4 May 2026, 08:00 in Paris. */
export const NOW = new Date('2026-05-04T06:00:00Z');

type Options = { now?: Date; by?: Actor; types?: readonly ConsultationType[] };

const base = (o: Options) => ({ effecteurId: RPPS, now: o.now ?? NOW, by: o.by ?? EFFECTEUR });

export const createSlot = (availabilityId: string, date: string, startTime: string, endTime: string, o: Options = {}): CreateAvailability => ({
  type: 'CreateAvailability',
  ...base(o),
  availabilityId,
  offer: { kind: 'slot' },
  date,
  startTime,
  endTime,
  consultationTypes: o.types ?? ['cabinet'],
  recurrence: null,
});

export const createRange = (
  availabilityId: string,
  date: string,
  startTime: string,
  endTime: string,
  patients: number,
  o: Options = {},
): CreateAvailability => ({ ...createSlot(availabilityId, date, startTime, endTime, o), offer: { kind: 'range', patients } });

export const createWeeklySlots = (
  seriesId: string,
  date: string,
  startTime: string,
  endTime: string,
  weekdays: readonly Weekday[],
  until: string,
  o: Options = {},
): CreateAvailability => ({ ...createSlot(seriesId, date, startTime, endTime, o), recurrence: { weekdays, until } });

export const book = (occurrenceId: string, bookingId: string, o: Options = {}): BookOccurrence => ({
  type: 'BookOccurrence',
  ...base({ by: REGULATOR, ...o }),
  occurrenceId,
  bookingId,
});

export const cancel = (bookingId: string, o: Options = {}): CancelBooking => ({ type: 'CancelBooking', ...base({ by: REGULATOR, ...o }), bookingId });

export const modifyOccurrence = (occurrenceId: string, date: string, startTime: string, endTime: string, o: Options = {}): ModifyOccurrence => ({
  type: 'ModifyOccurrence',
  ...base(o),
  occurrenceId,
  offer: { kind: 'slot' },
  date,
  startTime,
  endTime,
  consultationTypes: o.types ?? ['cabinet'],
});

export const deleteOccurrence = (occurrenceId: string, o: Options = {}): AgendaCommand => ({ type: 'DeleteOccurrence', ...base(o), occurrenceId });

export const modifySeries = (
  seriesId: string,
  startTime: string,
  endTime: string,
  weekdays: readonly Weekday[],
  until: string,
  o: Options = {},
): ModifySeries => ({
  type: 'ModifySeries',
  ...base(o),
  seriesId,
  offer: { kind: 'slot' },
  startTime,
  endTime,
  consultationTypes: o.types ?? ['cabinet'],
  recurrence: { weekdays, until },
});

export const deleteSeries = (seriesId: string, o: Options = {}): AgendaCommand => ({ type: 'DeleteSeries', ...base(o), seriesId });

export const declareUnavailability = (periodId: string, fromDate: string, toDate: string, o: Options = {}): AgendaCommand => ({
  type: 'DeclareUnavailability',
  ...base(o),
  periodId,
  fromDate,
  toDate,
});

export const removeUnavailability = (periodId: string, o: Options = {}): AgendaCommand => ({ type: 'RemoveUnavailability', ...base(o), periodId });
export const setIndefinite = (o: Options = {}): AgendaCommand => ({ type: 'SetIndefiniteUnavailability', ...base(o) });
export const clearIndefinite = (o: Options = {}): AgendaCommand => ({ type: 'ClearIndefiniteUnavailability', ...base(o) });

/** Literal expected events: their dates and times are plain strings where the event types use branded ones. */
export const expected = (...events: readonly object[]): AgendaEvent[] => events as AgendaEvent[];

/** The events the given commands produce one after the other (the "given" of a specification). */
export function historyOf(...commands: readonly AgendaCommand[]): AgendaEvent[] {
  let state = agendaDecider.initialState();
  const events: AgendaEvent[] = [];
  for (const command of commands) {
    const produced = agendaDecider.decide(command, state);
    events.push(...produced);
    state = fold(agendaDecider, produced, state);
  }
  return events;
}

export const stateOf = (events: readonly AgendaEvent[]): AgendaState => fold(agendaDecider, events);

export function openState(events: readonly AgendaEvent[]): OpenAgenda {
  const state = stateOf(events);
  if (state.status !== 'open') throw new Error('expected an open agenda');
  return state;
}

/** Runs one command on a history and answers the events (throws the DomainError of a refusal). */
export const decideOn = (events: readonly AgendaEvent[], command: AgendaCommand): readonly AgendaEvent[] => agendaDecider.decide(command, stateOf(events));
