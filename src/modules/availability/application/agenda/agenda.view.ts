import type { LocalDate } from '../../../../shared-kernel/time/paris-time.ts';
import { agendaSlotId } from '../../domain/agenda-slot-id.ts';
import { addDays } from '../../domain/agenda.calendar.ts';
import { isBooked, isHiddenByUnavailability, remainingPlaces, type AgendaState, type Occurrence, type Series } from '../../domain/agenda.state.ts';

/** One occurrence as the agenda screen shows it. */
export function occurrenceView(state: AgendaState, effecteurId: string, o: Occurrence) {
  return {
    occurrenceId: o.occurrenceId,
    slotId: agendaSlotId(effecteurId, o.occurrenceId),
    seriesId: o.seriesId,
    kind: o.kind,
    date: o.date,
    startTime: o.startTime,
    endTime: o.endTime,
    start: o.start,
    end: o.end,
    capacity: o.capacity,
    remainingPlaces: remainingPlaces(o),
    booked: isBooked(o),
    consultationTypes: o.consultationTypes,
    hiddenByUnavailability: isHiddenByUnavailability(state, o),
  };
}

export function seriesView(s: Series) {
  return {
    seriesId: s.seriesId,
    kind: s.kind,
    capacity: s.capacity,
    startTime: s.startTime,
    endTime: s.endTime,
    consultationTypes: s.consultationTypes,
    firstDate: s.firstDate,
    weekdays: s.weekdays,
    until: s.until,
    excludedDates: s.excludedDates,
  };
}

/**
 * The week view of an agenda: the occurrences dated in [from, from + days) (Paris civil dates), every series, the
 * unavailability periods and the indefinite switch — folded from the one agenda stream, so it is consistent and
 * up to date right after a write.
 */
export function agendaWeekView(state: AgendaState, effecteurId: string, from: LocalDate, days: number, revision: number) {
  const to = addDays(from, days);
  const open = state.status === 'open' ? state : null;
  const occurrences = open
    ? [...open.occurrences.values()]
        .filter((o) => o.date >= from && o.date < to)
        .sort((a, b) => a.start.localeCompare(b.start) || a.occurrenceId.localeCompare(b.occurrenceId))
        .map((o) => occurrenceView(state, effecteurId, o))
    : [];
  return {
    effecteurId,
    timeZone: 'Europe/Paris',
    from,
    to,
    days,
    revision,
    occurrences,
    series: open ? [...open.series.values()].sort((a, b) => a.seriesId.localeCompare(b.seriesId)).map(seriesView) : [],
    unavailabilities: open
      ? [...open.unavailabilities.values()].sort((a, b) => a.start.localeCompare(b.start)).map((p) => ({ ...p }))
      : [],
    indefinitelyUnavailable: open?.indefinitelyUnavailable ?? false,
  };
}
