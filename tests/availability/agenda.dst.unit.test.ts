import { describe, expect, it } from 'vitest';
import { deciderSpecification } from '../../src/shared-kernel/decider/decider-specification.ts';
import { parisLocalTime } from '../../src/shared-kernel/time/paris-time.ts';
import { agendaDecider } from '../../src/modules/availability/domain/agenda.decider.ts';
import type { AgendaEvent, AgendaSeriesCreated } from '../../src/modules/availability/domain/agenda.events.ts';
import { isUnavailableAt } from '../../src/modules/availability/domain/agenda.state.ts';
import { createRange, createSlot, createWeeklySlots, decideOn, declareUnavailability, historyOf, modifySeries, openState, stateOf } from './agenda.fixtures.ts';

/**
 * Daylight saving in the manual agenda (Europe/Paris). Decision, also written in agenda.calendar.ts:
 * - a one-off whose start or end falls in the spring-forward gap (02:00–02:59) is REFUSED (NonexistentLocalTime),
 *   never shifted: the regulator must not see an hour the effecteur did not declare;
 * - a weekly series SKIPS that date and reports it in `skippedDates` (the other weeks are created);
 * - an ambiguous autumn time is its first (summer-time) occurrence; durations are the real elapsed time;
 * - a weekly series keeps its Paris wall-clock time across the change (its UTC instant moves by one hour).
 */

const spec = deciderSpecification(agendaDecider);
const HOUR = 3_600_000;
const before2026Spring = { now: new Date('2026-03-01T08:00:00Z') };
const before2027Spring = { now: new Date('2026-06-01T08:00:00Z') };

const only = <T extends AgendaEvent['type']>(events: readonly AgendaEvent[], type: T): Extract<AgendaEvent, { type: T }> => {
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event?.type !== type) throw new Error(`expected ${type}, got ${event?.type}`);
  return event as Extract<AgendaEvent, { type: T }>;
};
const seriesCreated = (events: readonly AgendaEvent[]): AgendaSeriesCreated => only(events, 'AgendaSeriesCreated');
const lengthOf = (o: { start: string; end: string }) => (Date.parse(o.end) - Date.parse(o.start)) / HOUR;

describe('spring forward, Sunday 29 March 2026 (02:00 → 03:00)', () => {
  it('refuses a one-off slot at 02:30, a time that does not exist that night', () => {
    const error = spec.given([]).when(createSlot('s', '2026-03-29', '02:30', '02:50', before2026Spring)).thenFails('NonexistentLocalTime');
    expect(error.message).toBe(
      'L’heure 02:30 n’existe pas le 29/03/2026 à Paris (passage à l’heure d’été : de 02:00 on passe à 03:00). Choisissez une autre heure.',
    );
    spec.given([]).when(createSlot('s', '2026-03-29', '01:30', '02:15', before2026Spring)).thenFails('NonexistentLocalTime');
    // the same slot a week later is fine
    expect(decideOn([], createSlot('s', '2026-04-05', '02:30', '02:50', before2026Spring))).toHaveLength(1);
  });

  it('a range spanning the gap keeps its wall-clock bounds and lasts one hour less', () => {
    const event = only(decideOn([], createRange('r', '2026-03-29', '01:00', '04:00', 6, before2026Spring)), 'AgendaRangeCreated');
    expect(event.data).toMatchObject({ start: '2026-03-29T00:00:00.000Z', end: '2026-03-29T02:00:00.000Z' });
    expect(lengthOf(event.data)).toBe(2);
  });

  it('a weekly Sunday 09:00 series stays at 09:00 Paris time across the change', () => {
    const event = seriesCreated(decideOn([], createWeeklySlots('w', '2026-03-22', '09:00', '09:20', ['SU'], '2026-04-05', before2026Spring)));
    expect(event.data.occurrences.map((o) => o.start)).toEqual(['2026-03-22T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-04-05T07:00:00.000Z']);
    for (const o of event.data.occurrences) {
      expect(parisLocalTime(new Date(o.start))).toBe('09:00');
      expect(parisLocalTime(new Date(o.end))).toBe('09:20');
    }
  });

  it('a daily 09:00 series: 09:00 every day, 23 hours between Saturday and Sunday', () => {
    const event = seriesCreated(
      decideOn([], createWeeklySlots('d', '2026-03-27', '09:00', '09:20', ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], '2026-03-31', before2026Spring)),
    );
    const starts = event.data.occurrences.map((o) => Date.parse(o.start));
    expect(starts.slice(1).map((s, i) => (s - starts[i]!) / HOUR)).toEqual([24, 23, 24, 24]);
    expect(event.data.occurrences.every((o) => parisLocalTime(new Date(o.start)) === '09:00')).toBe(true);
  });

  it('a weekly 02:30 series skips the spring-forward Sunday and says so', () => {
    const event = seriesCreated(decideOn([], createWeeklySlots('n', '2026-03-22', '02:30', '03:00', ['SU'], '2026-04-05', before2026Spring)));
    expect(event.data.occurrences.map((o) => o.date)).toEqual(['2026-03-22', '2026-04-05']);
    expect(event.data.skippedDates).toEqual([{ date: '2026-03-29', reason: 'nonexistent-local-time' }]);
  });

  it('refuses a series whose only date is the gap', () => {
    spec.given([]).when(createWeeklySlots('n', '2026-03-29', '02:30', '03:00', ['SU'], '2026-03-29', before2026Spring)).thenFails('SeriesHasNoOccurrence');
  });

  it('modifying the series across the change keeps the new wall-clock time every week', () => {
    const given = historyOf(createWeeklySlots('w', '2026-03-22', '09:00', '09:20', ['SU'], '2026-04-12', before2026Spring));
    const event = only(decideOn(given, modifySeries('w', '10:00', '10:20', ['SU'], '2026-04-12', before2026Spring)), 'AgendaSeriesModified');
    expect(event.data.occurrences.map((o) => parisLocalTime(new Date(o.start)))).toEqual(['10:00', '10:00', '10:00', '10:00']);
    expect(event.data.occurrences.map((o) => o.start)).toEqual([
      '2026-03-22T09:00:00.000Z',
      '2026-03-29T08:00:00.000Z',
      '2026-04-05T08:00:00.000Z',
      '2026-04-12T08:00:00.000Z',
    ]);
  });

  it('an evening range ending at 24:00 the night before ends at the Paris midnight', () => {
    const event = only(decideOn([], createRange('e', '2026-03-28', '20:00', '24:00', 4, before2026Spring)), 'AgendaRangeCreated');
    expect(event.data).toMatchObject({ start: '2026-03-28T19:00:00.000Z', end: '2026-03-28T23:00:00.000Z' });
  });

  it('an unavailability of that day lasts 23 hours', () => {
    const event = only(decideOn([], declareUnavailability('u', '2026-03-29', '2026-03-29', before2026Spring)), 'AgendaUnavailabilityDeclared');
    expect(event.data).toMatchObject({ start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' });
    expect(lengthOf(event.data)).toBe(23);
  });
});

describe('fall back, Sunday 25 October 2026 (03:00 → 02:00)', () => {
  it('a weekly Sunday 09:00 series stays at 09:00 Paris time across the change', () => {
    const event = seriesCreated(decideOn([], createWeeklySlots('w', '2026-10-18', '09:00', '09:20', ['SU'], '2026-11-01', before2026Spring)));
    expect(event.data.occurrences.map((o) => o.start)).toEqual(['2026-10-18T07:00:00.000Z', '2026-10-25T08:00:00.000Z', '2026-11-01T08:00:00.000Z']);
    expect(event.data.occurrences.every((o) => parisLocalTime(new Date(o.start)) === '09:00')).toBe(true);
    expect(event.data.skippedDates).toEqual([]);
  });

  it('a slot at 02:30 is the first 02:30 (summer time)', () => {
    const event = only(decideOn([], createSlot('s', '2026-10-25', '02:30', '02:50', before2026Spring)), 'AgendaSlotCreated');
    expect(event.data).toMatchObject({ start: '2026-10-25T00:30:00.000Z', end: '2026-10-25T00:50:00.000Z' });
  });

  it('durations are real elapsed time: 02:30–03:30 lasts two hours, 01:00–04:00 four', () => {
    const a = only(decideOn([], createSlot('a', '2026-10-25', '02:30', '03:30', before2026Spring)), 'AgendaSlotCreated');
    expect(lengthOf(a.data)).toBe(2);
    const r = only(decideOn([], createRange('r', '2026-10-25', '01:00', '04:00', 5, before2026Spring)), 'AgendaRangeCreated');
    expect(r.data).toMatchObject({ start: '2026-10-24T23:00:00.000Z', end: '2026-10-25T03:00:00.000Z' });
    expect(lengthOf(r.data)).toBe(4);
  });

  it('overlaps are judged on instants: 02:30–03:30 covers 03:00–03:20 that night', () => {
    const given = historyOf(createSlot('a', '2026-10-25', '02:30', '03:30', before2026Spring));
    spec.given(given).when(createSlot('b', '2026-10-25', '03:00', '03:20', before2026Spring)).thenFails('AvailabilitiesCannotOverlap');
    expect(decideOn(given, createSlot('b', '2026-10-25', '03:30', '03:50', before2026Spring))).toHaveLength(1);
  });

  it('an unavailability of that day lasts 25 hours, up to its last instant', () => {
    const state = stateOf(historyOf(declareUnavailability('u', '2026-10-25', '2026-10-25', before2026Spring)));
    const [period] = openState(historyOf(declareUnavailability('u', '2026-10-25', '2026-10-25', before2026Spring))).unavailabilities.values();
    expect(period).toMatchObject({ start: '2026-10-24T22:00:00.000Z', end: '2026-10-25T23:00:00.000Z' });
    expect(lengthOf(period!)).toBe(25);
    expect(isUnavailableAt(state, new Date('2026-10-25T22:59:59Z'))).toBe(true); // 23:59:59 winter time
    expect(isUnavailableAt(state, new Date('2026-10-25T23:00:00Z'))).toBe(false);
  });
});

describe('spring forward, Sunday 28 March 2027', () => {
  it('a daily 09:00 series keeps 09:00 and a weekly 02:30 series skips the 28th', () => {
    const daily = seriesCreated(
      decideOn([], createWeeklySlots('d', '2027-03-26', '09:00', '09:15', ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'], '2027-03-30', before2027Spring)),
    );
    expect(daily.data.occurrences.map((o) => o.start)).toEqual([
      '2027-03-26T08:00:00.000Z',
      '2027-03-27T08:00:00.000Z',
      '2027-03-28T07:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
      '2027-03-30T07:00:00.000Z',
    ]);
    const night = seriesCreated(decideOn([], createWeeklySlots('n', '2027-03-21', '02:30', '02:50', ['SU'], '2027-04-04', before2027Spring)));
    expect(night.data.skippedDates).toEqual([{ date: '2027-03-28', reason: 'nonexistent-local-time' }]);
    expect(night.data.occurrences.map((o) => o.start)).toEqual(['2027-03-21T01:30:00.000Z', '2027-04-04T00:30:00.000Z']);
  });

  it('refuses a one-off at 02:15 that night', () => {
    spec.given([]).when(createSlot('s', '2027-03-28', '02:15', '02:35', before2027Spring)).thenFails('NonexistentLocalTime');
  });
});
