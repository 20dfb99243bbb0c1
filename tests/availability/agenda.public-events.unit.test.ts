import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/shared-kernel/errors/result.ts';
import type { LocalDate } from '../../src/shared-kernel/time/paris-time.ts';
import type { AvailabilityIntegrationEvent, ConsultationType } from '../../src/modules/availability/contracts/availability.events.ts';
import { agendaSlotId } from '../../src/modules/availability/domain/agenda-slot-id.ts';
import { addDays, WEEKDAYS, type Weekday } from '../../src/modules/availability/domain/agenda.calendar.ts';
import { agendaDecider, type AgendaCommand, type AvailabilityOffer } from '../../src/modules/availability/domain/agenda.decider.ts';
import type { AgendaEvent } from '../../src/modules/availability/domain/agenda.events.ts';
import { agendaStreamDecider, isAgendaEvent, publicEventsOf, type AgendaStreamEvent } from '../../src/modules/availability/domain/agenda.public-events.ts';
import { isHiddenByUnavailability, remainingPlaces, type AgendaState, type Occurrence } from '../../src/modules/availability/domain/agenda.state.ts';
import { fold } from '../../src/shared-kernel/decider/decider.ts';
import {
  book,
  cancel,
  createRange,
  createSlot,
  createWeeklySlots,
  declareUnavailability,
  deleteOccurrence,
  deleteSeries,
  EFFECTEUR,
  historyOf,
  NOW,
  REGULATOR,
  RPPS,
  setIndefinite,
  stateOf,
} from './agenda.fixtures.ts';

/**
 * The public events of agenda decisions (agendaStreamDecider / publicEventsOf): what other modules learn from the
 * agenda stream must be exactly the agenda — whatever the sequence of commands, replaying the public events alone
 * gives the occurrences with the right slot ids, times, consultation types and places left, and the current
 * unavailability declaration.
 */

type Replayed = { start: string; end: string; consultationTypes: readonly ConsultationType[]; remaining: number | null };
type Reader = { slots: Map<string, Replayed>; periods: { start: string; end: string }[]; indefinite: boolean; published: Set<string> };

/** A reader of the public events only, as the free-slots list or search would be. */
function replay(reader: Reader, event: AvailabilityIntegrationEvent): void {
  switch (event.type) {
    case 'SlotPublished':
      expect(reader.published.has(event.data.slotId), `slot ${event.data.slotId} published twice`).toBe(false);
      reader.published.add(event.data.slotId);
      expect(event.data).toMatchObject({ effecteurId: RPPS, source: 'manual' });
      reader.slots.set(event.data.slotId, { start: event.data.start, end: event.data.end, consultationTypes: event.data.consultationTypes, remaining: null });
      break;
    case 'SlotChanged': {
      const slot = reader.slots.get(event.data.slotId);
      expect(slot, 'a change of an unknown slot').toBeDefined();
      reader.slots.set(event.data.slotId, { start: event.data.start, end: event.data.end, consultationTypes: event.data.consultationTypes, remaining: slot!.remaining });
      break;
    }
    case 'SlotWithdrawn':
      expect(reader.slots.delete(event.data.slotId), 'withdrawal of an unknown slot').toBe(true);
      break;
    case 'SlotBooked':
    case 'BookingCancelled': {
      const slot = reader.slots.get(event.data.slotId);
      expect(slot, 'a booking of an unknown slot').toBeDefined();
      expect(event.data.remainingPlaces).toBeGreaterThanOrEqual(event.type === 'SlotBooked' ? 0 : 1);
      slot!.remaining = event.data.remainingPlaces;
      break;
    }
    case 'UnavailabilityDeclared':
      reader.periods = event.data.periods.map((p) => ({ start: p.start, end: p.end }));
      reader.indefinite = event.data.indefinite;
      break;
  }
}

const readerHides = (r: Reader, o: { start: string; end: string }) =>
  r.indefinite || r.periods.some((p) => Date.parse(p.start) < Date.parse(o.end) && Date.parse(o.start) < Date.parse(p.end));

function checkReaderAgrees(reader: Reader, state: AgendaState): void {
  const occurrences: Occurrence[] = state.status === 'open' ? [...state.occurrences.values()] : [];
  const expectedIds = occurrences.map((o) => agendaSlotId(RPPS, o.occurrenceId)).sort();
  expect(new Set(expectedIds).size).toBe(expectedIds.length);
  expect([...reader.slots.keys()].sort()).toEqual(expectedIds);
  for (const o of occurrences) {
    const slot = reader.slots.get(agendaSlotId(RPPS, o.occurrenceId))!;
    expect({ start: slot.start, end: slot.end, consultationTypes: slot.consultationTypes }).toEqual({ start: o.start, end: o.end, consultationTypes: o.consultationTypes });
    // Bookable for the reader exactly when it has a free place; with bookings, the places left are exact.
    const readerBookable = slot.remaining === null || slot.remaining > 0;
    expect(readerBookable).toBe(remainingPlaces(o) > 0);
    if (o.bookingIds.length > 0) expect(slot.remaining).toBe(remainingPlaces(o));
    expect(readerHides(reader, o)).toBe(isHiddenByUnavailability(state, o));
  }
  if (state.status === 'open') {
    expect(reader.indefinite).toBe(state.indefinitelyUnavailable);
    expect(reader.periods).toEqual([...state.unavailabilities.values()].map((p) => ({ start: p.start, end: p.end })).sort((a, b) => a.start.localeCompare(b.start)));
  }
}

// ——— Random command sequences ———

const FIRST_DAY = '2026-05-04' as LocalDate; // NOW's day, a Monday
const TIMES = ['08:00', '08:30', '09:00', '09:10', '10:00', '14:00'] as const;

function endTime(start: string, minutes: number): string {
  const total = Number(start.slice(0, 2)) * 60 + Number(start.slice(3, 5)) + minutes;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

type Step = (state: AgendaState, now: Date, counter: number) => AgendaCommand | null;

const offer = fc.oneof(fc.constant<AvailabilityOffer>({ kind: 'slot' }), fc.integer({ min: 1, max: 3 }).map<AvailabilityOffer>((patients) => ({ kind: 'range', patients })));
const types = fc.subarray(['cabinet', 'teleconsultation', 'domicile'] as ConsultationType[], { minLength: 1 });
const form = fc.record({ offer, startTime: fc.constantFrom(...TIMES), minutes: fc.constantFrom(10, 20, 45), types });
const occurrencesOf = (s: AgendaState) => (s.status === 'open' ? [...s.occurrences.values()].sort((a, b) => a.occurrenceId.localeCompare(b.occurrenceId)) : []);
const base = (now: Date, by = EFFECTEUR) => ({ effecteurId: RPPS, now, by });

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ day: fc.integer({ min: 1, max: 12 }), form, weekly: fc.option(fc.record({ weekdays: fc.subarray([...WEEKDAYS] as Weekday[], { minLength: 1 }), weeks: fc.integer({ min: 0, max: 2 }) })) }).map<Step>(
    ({ day, form: f, weekly }) =>
      (_s, now, n) => ({
        type: 'CreateAvailability',
        ...base(now),
        availabilityId: `a${n}`,
        offer: f.offer,
        date: addDays(FIRST_DAY, day),
        startTime: f.startTime,
        endTime: endTime(f.startTime, f.minutes),
        consultationTypes: f.types,
        recurrence: weekly === null ? null : { weekdays: weekly.weekdays, until: addDays(FIRST_DAY, day + 7 * weekly.weeks) },
      }),
  ),
  fc.record({ k: fc.nat(), shift: fc.integer({ min: -1, max: 1 }), form }).map<Step>(({ k, shift, form: f }) => (s, now) => {
    const o = pick(occurrencesOf(s), k);
    return o === undefined
      ? null
      : { type: 'ModifyOccurrence', ...base(now), occurrenceId: o.occurrenceId, offer: f.offer, date: addDays(o.date, shift), startTime: f.startTime, endTime: endTime(f.startTime, f.minutes), consultationTypes: f.types };
  }),
  fc.nat().map<Step>((k) => (s, now) => {
    const o = pick(occurrencesOf(s), k);
    return o === undefined ? null : { type: 'DeleteOccurrence', ...base(now), occurrenceId: o.occurrenceId };
  }),
  fc.record({ k: fc.nat(), form, weekdays: fc.subarray([...WEEKDAYS] as Weekday[], { minLength: 1 }), weeks: fc.integer({ min: 0, max: 3 }) }).map<Step>(({ k, form: f, weekdays, weeks }) => (s, now) => {
    const series = s.status === 'open' ? pick([...s.series.values()], k) : undefined;
    return series === undefined
      ? null
      : { type: 'ModifySeries', ...base(now), seriesId: series.seriesId, offer: f.offer, startTime: f.startTime, endTime: endTime(f.startTime, f.minutes), consultationTypes: f.types, recurrence: { weekdays, until: addDays(series.firstDate, 7 * weeks) } };
  }),
  fc.nat().map<Step>((k) => (s, now) => {
    const series = s.status === 'open' ? pick([...s.series.values()], k) : undefined;
    return series === undefined ? null : { type: 'DeleteSeries', ...base(now), seriesId: series.seriesId };
  }),
  fc.nat().map<Step>((k) => (s, now, n) => {
    const o = pick(occurrencesOf(s), k);
    return o === undefined ? null : { type: 'BookOccurrence', ...base(now, REGULATOR), occurrenceId: o.occurrenceId, bookingId: `b${n}` };
  }),
  fc.nat().map<Step>((k) => (s, now) => {
    const b = s.status === 'open' ? pick([...s.bookings.values()].filter((x) => x.status === 'active'), k) : undefined;
    return b === undefined ? null : { type: 'CancelBooking', ...base(now, REGULATOR), bookingId: b.bookingId };
  }),
  fc.record({ day: fc.integer({ min: 0, max: 12 }), length: fc.integer({ min: 0, max: 3 }) }).map<Step>(({ day, length }) => (_s, now, n) => ({
    type: 'DeclareUnavailability',
    ...base(now),
    periodId: `p${n}`,
    fromDate: addDays(FIRST_DAY, day),
    toDate: addDays(FIRST_DAY, day + length),
  })),
  fc.nat().map<Step>((k) => (s, now) => {
    const p = s.status === 'open' ? pick([...s.unavailabilities.keys()].sort(), k) : undefined;
    return p === undefined ? null : { type: 'RemoveUnavailability', ...base(now), periodId: p };
  }),
  fc.boolean().map<Step>((on) => (_s, now) => ({ type: on ? 'SetIndefiniteUnavailability' : 'ClearIndefiniteUnavailability', ...base(now) })),
  fc.integer({ min: 1, max: 36 }).map<Step>((hours) => () => ({ type: 'advance', hours }) as unknown as AgendaCommand),
);

describe('public events of the agenda', () => {
  it('replaying the public events of any command sequence gives exactly the agenda’s occurrences, places left and unavailability', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        let state = agendaStreamDecider.initialState();
        let now = NOW;
        const stream: AgendaStreamEvent[] = [];
        const reader: Reader = { slots: new Map(), periods: [], indefinite: false, published: new Set() };
        for (const [n, next] of steps.entries()) {
          const command = next(state, now, n);
          if (command === null) continue;
          if ((command as unknown as { type: string }).type === 'advance') {
            now = new Date(now.getTime() + (command as unknown as { hours: number }).hours * 3_600_000);
            continue;
          }
          let decided: readonly AgendaStreamEvent[];
          try {
            decided = agendaStreamDecider.decide(command, state);
          } catch (error) {
            if (error instanceof DomainError) continue;
            throw error;
          }
          const agendaEvents = decided.filter(isAgendaEvent);
          // a decision that changes nothing says nothing; otherwise its agenda events come first
          if (agendaEvents.length === 0) expect(decided).toEqual([]);
          expect(decided.slice(0, agendaEvents.length)).toEqual(agendaEvents);
          expect(agendaEvents).toEqual(agendaDecider.decide(command, state));
          for (const event of decided) {
            state = agendaStreamDecider.evolve(state, event);
            if (!isAgendaEvent(event)) replay(reader, event);
          }
          stream.push(...decided);
          checkReaderAgrees(reader, state);
        }
        // Folding the stream (public events included) is folding the agenda's own events.
        expect(fold(agendaStreamDecider, stream)).toEqual(fold(agendaDecider, stream.filter(isAgendaEvent) as AgendaEvent[]));
      }),
      { numRuns: 300 },
    );
  });

  describe('given an agenda', () => {
    const slotId = (occurrenceId: string) => agendaSlotId(RPPS, occurrenceId);

    it('a weekly series publishes one slot per occurrence, with the occurrence’s slot id', () => {
      const decided = agendaStreamDecider.decide(createWeeklySlots('s1', '2026-05-05', '09:00', '09:20', ['TU', 'TH'], '2026-05-12', { types: ['cabinet', 'teleconsultation'] }), stateOf([]));
      const published = decided.filter((e) => e.type === 'SlotPublished');
      expect(published.map((e) => e.data)).toEqual(
        ['2026-05-05', '2026-05-07', '2026-05-12'].map((d) => ({
          slotId: slotId(`s1/0/${d}`),
          effecteurId: RPPS,
          start: `${d}T07:00:00.000Z`,
          end: `${d}T07:20:00.000Z`,
          consultationTypes: ['cabinet', 'teleconsultation'],
          source: 'manual',
        })),
      );
    });

    it('a booking says the places left; its cancellation gives the place back', () => {
      const history = historyOf(createRange('r1', '2026-05-06', '14:00', '16:00', 3));
      const booked = agendaStreamDecider.decide(book('r1', 'b1'), stateOf(history));
      expect(booked.at(-1)).toEqual({
        type: 'SlotBooked',
        data: { slotId: slotId('r1'), effecteurId: RPPS, bookingId: 'b1', start: '2026-05-06T12:00:00.000Z', end: '2026-05-06T14:00:00.000Z', source: 'manual', remainingPlaces: 2 },
      });
      const afterBooking = [...history, ...(booked.filter(isAgendaEvent) as AgendaEvent[])];
      expect(agendaStreamDecider.decide(cancel('b1'), stateOf(afterBooking)).at(-1)).toEqual({
        type: 'BookingCancelled',
        data: { slotId: slotId('r1'), effecteurId: RPPS, bookingId: 'b1', reason: null, remainingPlaces: 3 },
      });
    });

    it('deleting a series withdraws its free occurrences and keeps the booked one, under the same slot id', () => {
      const history = historyOf(createWeeklySlots('s1', '2026-05-05', '09:00', '09:20', ['TU'], '2026-05-19'), book('s1/0/2026-05-12', 'b1'));
      const decided = agendaStreamDecider.decide(deleteSeries('s1'), stateOf(history));
      expect(decided.filter((e) => !isAgendaEvent(e))).toEqual(
        ['s1/0/2026-05-05', 's1/0/2026-05-19'].map((id) => ({ type: 'SlotWithdrawn', data: { slotId: slotId(id), effecteurId: RPPS, reason: 'removed-from-agenda' } })),
      );
    });

    it('an unavailability is declared whole and withdraws nothing', () => {
      const history = historyOf(createSlot('o1', '2026-05-06', '09:00', '09:20'), declareUnavailability('p1', '2026-05-10', '2026-05-11'));
      const decided = agendaStreamDecider.decide(setIndefinite(), stateOf(history));
      expect(decided.filter((e) => !isAgendaEvent(e))).toEqual([
        {
          type: 'UnavailabilityDeclared',
          data: { effecteurId: RPPS, periods: [{ periodId: 'p1', start: '2026-05-09T22:00:00.000Z', end: '2026-05-11T22:00:00.000Z' }], indefinite: true },
        },
      ]);
    });

    it('an edited occurrence is changed, not withdrawn and published again; a deleted one is withdrawn', () => {
      const history = historyOf(createSlot('o1', '2026-05-06', '09:00', '09:20'));
      const before = stateOf(history);
      const modified = agendaDecider.decide({ type: 'ModifyOccurrence', effecteurId: RPPS, now: NOW, by: EFFECTEUR, occurrenceId: 'o1', offer: { kind: 'slot' }, date: '2026-05-07', startTime: '10:00', endTime: '10:30', consultationTypes: ['domicile'] }, before);
      expect(publicEventsOf(before, fold(agendaDecider, modified, before), modified)).toEqual([
        { type: 'SlotChanged', data: { slotId: slotId('o1'), effecteurId: RPPS, start: '2026-05-07T08:00:00.000Z', end: '2026-05-07T08:30:00.000Z', consultationTypes: ['domicile'], source: 'manual' } },
      ]);
      expect(agendaStreamDecider.decide(deleteOccurrence('o1'), before).filter((e) => !isAgendaEvent(e))).toEqual([
        { type: 'SlotWithdrawn', data: { slotId: slotId('o1'), effecteurId: RPPS, reason: 'removed-from-agenda' } },
      ]);
    });
  });
});
