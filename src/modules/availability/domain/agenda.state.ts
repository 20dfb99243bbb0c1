import { assertNever } from '../../../shared-kernel/errors/result.ts';
import type { LocalDate, LocalTime } from '../../../shared-kernel/time/paris-time.ts';
import type { ConsultationType } from '../contracts/availability.events.ts';
import type { LocalEndTime, Weekday } from './agenda.calendar.ts';
import type { AgendaEvent, AvailabilityKind, GeneratedOccurrence, SeriesTemplate } from './agenda.events.ts';

/**
 * State of an effecteur's manual agenda, its `evolve`, and the pure read functions the rest of the module
 * uses (is the effecteur unavailable at an instant, which occurrences are public).
 */

export type Occurrence = {
  readonly occurrenceId: string;
  readonly seriesId: string | null;
  /** The series date that generated it (kept when the occurrence is moved to another day); null for a one-off. */
  readonly seriesDate: LocalDate | null;
  readonly kind: AvailabilityKind;
  /** 1 for a slot, N patients for a range. */
  readonly capacity: number;
  readonly date: LocalDate;
  readonly startTime: LocalTime;
  readonly endTime: LocalEndTime;
  /** ISO-8601 instants (UTC). */
  readonly start: string;
  readonly end: string;
  readonly consultationTypes: readonly ConsultationType[];
  /** Active bookings, never more than `capacity`. */
  readonly bookingIds: readonly string[];
};

export type Series = SeriesTemplate & {
  readonly seriesId: string;
  /** Bumped by each modification; part of the ids of the occurrences it generates. */
  readonly revision: number;
  readonly firstDate: LocalDate;
  readonly weekdays: readonly Weekday[];
  readonly until: LocalDate;
  /** Dates whose occurrence was deleted one by one: a modification of the series does not bring them back. */
  readonly excludedDates: readonly LocalDate[];
};

export type Booking = { readonly bookingId: string; readonly occurrenceId: string; readonly status: 'active' | 'cancelled' };

export type UnavailabilityPeriod = {
  readonly periodId: string;
  readonly fromDate: LocalDate;
  readonly toDate: LocalDate;
  /** Paris midnight starting `fromDate`, Paris midnight ending `toDate` (exclusive). */
  readonly start: string;
  readonly end: string;
};

export type OpenAgenda = {
  readonly status: 'open';
  readonly effecteurId: string;
  readonly occurrences: ReadonlyMap<string, Occurrence>;
  readonly series: ReadonlyMap<string, Series>;
  readonly bookings: ReadonlyMap<string, Booking>;
  readonly unavailabilities: ReadonlyMap<string, UnavailabilityPeriod>;
  readonly indefinitelyUnavailable: boolean;
  /**
   * Ids of deleted one-offs and series: never given again, so that an id names one availability forever (a new
   * series under a deleted series' id would otherwise regenerate the ids of the occurrences it kept).
   */
  readonly retiredIds: ReadonlySet<string>;
};

export type AgendaState = { readonly status: 'empty' } | OpenAgenda;

export const initialAgendaState = (): AgendaState => ({ status: 'empty' });

/** An agenda with nothing in it, for the first event of a stream. */
export const emptyAgenda = (effecteurId: string): OpenAgenda => ({
  status: 'open',
  effecteurId,
  occurrences: new Map(),
  series: new Map(),
  bookings: new Map(),
  unavailabilities: new Map(),
  indefinitelyUnavailable: false,
  retiredIds: new Set(),
});

const withEntry = <V>(map: ReadonlyMap<string, V>, key: string, value: V): Map<string, V> => new Map(map).set(key, value);
const without = <V>(map: ReadonlyMap<string, V>, keys: Iterable<string>): Map<string, V> => {
  const copy = new Map(map);
  for (const key of keys) copy.delete(key);
  return copy;
};

function seriesOccurrences(seriesId: string, template: SeriesTemplate, generated: readonly GeneratedOccurrence[]): Occurrence[] {
  return generated.map((g) => ({
    occurrenceId: g.occurrenceId,
    seriesId,
    seriesDate: g.date,
    kind: template.kind,
    capacity: template.capacity,
    date: g.date,
    startTime: template.startTime,
    endTime: template.endTime,
    start: g.start,
    end: g.end,
    consultationTypes: template.consultationTypes,
    bookingIds: [],
  }));
}

const addAll = (map: ReadonlyMap<string, Occurrence>, occurrences: readonly Occurrence[]): Map<string, Occurrence> => {
  const copy = new Map(map);
  for (const o of occurrences) copy.set(o.occurrenceId, o);
  return copy;
};

export function evolveAgenda(state: AgendaState, event: AgendaEvent): AgendaState {
  const agenda = state.status === 'open' ? state : emptyAgenda(event.data.effecteurId);
  switch (event.type) {
    case 'AgendaSlotCreated':
    case 'AgendaRangeCreated': {
      const d = event.data;
      const occurrence: Occurrence = {
        occurrenceId: d.occurrenceId,
        seriesId: null,
        seriesDate: null,
        kind: event.type === 'AgendaSlotCreated' ? 'slot' : 'range',
        capacity: event.type === 'AgendaSlotCreated' ? 1 : event.data.capacity,
        date: d.date,
        startTime: d.startTime,
        endTime: d.endTime,
        start: d.start,
        end: d.end,
        consultationTypes: d.consultationTypes,
        bookingIds: [],
      };
      return { ...agenda, occurrences: withEntry(agenda.occurrences, d.occurrenceId, occurrence) };
    }
    case 'AgendaSeriesCreated': {
      const d = event.data;
      const series: Series = {
        seriesId: d.seriesId,
        revision: 0,
        kind: d.kind,
        capacity: d.capacity,
        startTime: d.startTime,
        endTime: d.endTime,
        consultationTypes: d.consultationTypes,
        firstDate: d.firstDate,
        weekdays: d.weekdays,
        until: d.until,
        excludedDates: [],
      };
      return {
        ...agenda,
        series: withEntry(agenda.series, d.seriesId, series),
        occurrences: addAll(agenda.occurrences, seriesOccurrences(d.seriesId, d, d.occurrences)),
      };
    }
    case 'AgendaOccurrenceModified': {
      const d = event.data;
      const before = agenda.occurrences.get(d.occurrenceId);
      if (before === undefined) return agenda;
      const after: Occurrence = {
        ...before,
        kind: d.kind,
        capacity: d.capacity,
        date: d.date,
        startTime: d.startTime,
        endTime: d.endTime,
        start: d.start,
        end: d.end,
        consultationTypes: d.consultationTypes,
      };
      return { ...agenda, occurrences: withEntry(agenda.occurrences, d.occurrenceId, after) };
    }
    case 'AgendaOccurrenceDeleted': {
      const before = agenda.occurrences.get(event.data.occurrenceId);
      const series = before?.seriesId == null ? undefined : agenda.series.get(before.seriesId);
      return {
        ...agenda,
        retiredIds: before?.seriesId == null ? new Set(agenda.retiredIds).add(event.data.occurrenceId) : agenda.retiredIds,
        occurrences: without(agenda.occurrences, [event.data.occurrenceId]),
        series:
          series === undefined || before?.seriesDate == null
            ? agenda.series
            : withEntry(agenda.series, series.seriesId, { ...series, excludedDates: [...series.excludedDates, before.seriesDate] }),
      };
    }
    case 'AgendaSeriesModified': {
      const d = event.data;
      const before = agenda.series.get(d.seriesId);
      if (before === undefined) return agenda;
      const series: Series = {
        ...before,
        revision: d.revision,
        kind: d.kind,
        capacity: d.capacity,
        startTime: d.startTime,
        endTime: d.endTime,
        consultationTypes: d.consultationTypes,
        weekdays: d.weekdays,
        until: d.until,
      };
      return {
        ...agenda,
        series: withEntry(agenda.series, d.seriesId, series),
        occurrences: addAll(without(agenda.occurrences, d.removedOccurrenceIds), seriesOccurrences(d.seriesId, d, d.occurrences)),
      };
    }
    case 'AgendaSeriesDeleted': {
      const d = event.data;
      const occurrences = without(agenda.occurrences, d.deletedOccurrenceIds);
      for (const [id, o] of occurrences) {
        if (o.seriesId === d.seriesId) occurrences.set(id, { ...o, seriesId: null, seriesDate: null });
      }
      return { ...agenda, occurrences, series: without(agenda.series, [d.seriesId]), retiredIds: new Set(agenda.retiredIds).add(d.seriesId) };
    }
    case 'AgendaOccurrenceBooked': {
      const d = event.data;
      const before = agenda.occurrences.get(d.occurrenceId);
      if (before === undefined) return agenda;
      return {
        ...agenda,
        occurrences: withEntry(agenda.occurrences, d.occurrenceId, { ...before, bookingIds: [...before.bookingIds, d.bookingId] }),
        bookings: withEntry(agenda.bookings, d.bookingId, { bookingId: d.bookingId, occurrenceId: d.occurrenceId, status: 'active' }),
      };
    }
    case 'AgendaBookingCancelled': {
      const d = event.data;
      const before = agenda.occurrences.get(d.occurrenceId);
      return {
        ...agenda,
        occurrences:
          before === undefined
            ? agenda.occurrences
            : withEntry(agenda.occurrences, d.occurrenceId, { ...before, bookingIds: before.bookingIds.filter((b) => b !== d.bookingId) }),
        bookings: withEntry(agenda.bookings, d.bookingId, { bookingId: d.bookingId, occurrenceId: d.occurrenceId, status: 'cancelled' }),
      };
    }
    case 'AgendaUnavailabilityDeclared': {
      const { periodId, fromDate, toDate, start, end } = event.data;
      return { ...agenda, unavailabilities: withEntry(agenda.unavailabilities, periodId, { periodId, fromDate, toDate, start, end }) };
    }
    case 'AgendaUnavailabilityRemoved':
      return { ...agenda, unavailabilities: without(agenda.unavailabilities, [event.data.periodId]) };
    case 'AgendaIndefiniteUnavailabilitySet':
      return { ...agenda, indefinitelyUnavailable: true };
    case 'AgendaIndefiniteUnavailabilityCleared':
      return { ...agenda, indefinitelyUnavailable: false };
    default:
      return assertNever(event, 'agenda event');
  }
}

// ——— Pure read functions ———

export const remainingPlaces = (o: Occurrence): number => o.capacity - o.bookingIds.length;
export const isBooked = (o: Occurrence): boolean => o.bookingIds.length > 0;
export const hasStarted = (o: Occurrence, now: Date): boolean => Date.parse(o.start) <= now.getTime();

const intersects = (aStart: number, aEnd: number, bStart: number, bEnd: number): boolean => aStart < bEnd && bStart < aEnd;

/** Two occurrences overlap when their half-open instant intervals [start, end) intersect. */
export const occurrencesOverlap = (a: Pick<Occurrence, 'start' | 'end'>, b: Pick<Occurrence, 'start' | 'end'>): boolean =>
  intersects(Date.parse(a.start), Date.parse(a.end), Date.parse(b.start), Date.parse(b.end));

/** Is the effecteur unavailable at this instant (indefinitely, or inside a declared period)? */
export function isUnavailableAt(state: AgendaState, instant: Date): boolean {
  if (state.status !== 'open') return false;
  if (state.indefinitelyUnavailable) return true;
  const t = instant.getTime();
  for (const p of state.unavailabilities.values()) if (Date.parse(p.start) <= t && t < Date.parse(p.end)) return true;
  return false;
}

/** An occurrence is hidden while the effecteur is indefinitely unavailable or if it touches a declared period. */
export function isHiddenByUnavailability(state: AgendaState, o: Pick<Occurrence, 'start' | 'end'>): boolean {
  if (state.status !== 'open') return false;
  if (state.indefinitelyUnavailable) return true;
  for (const p of state.unavailabilities.values()) if (occurrencesOverlap(o, p)) return true;
  return false;
}

/** What regulators may see at `now`: not ended, with a free place, not hidden by an unavailability; by start. */
export function publicOccurrences(state: AgendaState, now: Date): Occurrence[] {
  if (state.status !== 'open') return [];
  return [...state.occurrences.values()]
    .filter((o) => Date.parse(o.end) > now.getTime() && remainingPlaces(o) > 0 && !isHiddenByUnavailability(state, o))
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.occurrenceId.localeCompare(b.occurrenceId));
}
