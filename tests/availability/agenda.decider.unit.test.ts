import { describe, expect, it } from 'vitest';
import { deciderSpecification } from '../../src/shared-kernel/decider/decider-specification.ts';
import { agendaDecider, type AgendaCommand } from '../../src/modules/availability/domain/agenda.decider.ts';
import { isUnavailableAt, publicOccurrences } from '../../src/modules/availability/domain/agenda.state.ts';
import {
  book,
  cancel,
  clearIndefinite,
  createRange,
  createSlot,
  createWeeklySlots,
  decideOn,
  declareUnavailability,
  deleteOccurrence,
  deleteSeries,
  EFFECTEUR,
  expected,
  historyOf,
  modifyOccurrence,
  modifySeries,
  NOW,
  openState,
  REGULATOR,
  removeUnavailability,
  RPPS,
  setIndefinite,
  stateOf,
  STRUCTURE_MANAGER,
} from './agenda.fixtures.ts';

const spec = deciderSpecification(agendaDecider);
const at = (iso: string) => new Date(iso);

// Monday 11 May 2026 (summer time, UTC+2): 10:00 Paris is 08:00Z.
const slotA = createSlot('slot-a', '2026-05-11', '10:00', '10:20');
const slotAEvent = {
  type: 'AgendaSlotCreated',
  data: {
    effecteurId: RPPS,
    by: EFFECTEUR,
    occurrenceId: 'slot-a',
    date: '2026-05-11',
    startTime: '10:00',
    endTime: '10:20',
    start: '2026-05-11T08:00:00.000Z',
    end: '2026-05-11T08:20:00.000Z',
    consultationTypes: ['cabinet'],
  },
};

describe('an empty agenda', () => {
  it('records a slot with its Paris civil times and its UTC instants', () => {
    spec.given([]).when(slotA).then(expected(slotAEvent));
  });

  it('records a range that can receive N patients, with its consultation types in a stable order', () => {
    spec
      .given([])
      .when(createRange('range-1', '2026-05-12', '14:00', '18:00', 8, { types: ['domicile', 'cabinet', 'domicile'] }))
      .then(expected(
        {
          type: 'AgendaRangeCreated',
          data: {
            effecteurId: RPPS,
            by: EFFECTEUR,
            occurrenceId: 'range-1',
            date: '2026-05-12',
            startTime: '14:00',
            endTime: '18:00',
            start: '2026-05-12T12:00:00.000Z',
            end: '2026-05-12T16:00:00.000Z',
            capacity: 8,
            consultationTypes: ['cabinet', 'domicile'],
          },
        },
      ));
  });

  it('records who acted: a structure manager entering the slot of one of its doctors', () => {
    const [event] = decideOn([], createSlot('slot-sos', '2026-05-11', '20:00', '24:00', { by: STRUCTURE_MANAGER, types: ['domicile'] }));
    expect(event).toMatchObject({ type: 'AgendaSlotCreated', data: { by: STRUCTURE_MANAGER, effecteurId: RPPS } });
    // "24:00" ends the range at the midnight that closes the day
    expect(event?.data).toMatchObject({ endTime: '24:00', end: '2026-05-11T22:00:00.000Z' });
  });

  it('expands a weekly recurrence on the chosen weekdays until its end date, the first date included', () => {
    const [event] = decideOn([], createWeeklySlots('series-1', '2026-05-11', '09:00', '09:30', ['WE', 'MO'], '2026-05-25'));
    expect(event?.type).toBe('AgendaSeriesCreated');
    if (event?.type !== 'AgendaSeriesCreated') return;
    expect(event.data.weekdays).toEqual(['MO', 'WE']);
    expect(event.data.occurrences).toEqual([
      { occurrenceId: 'series-1/0/2026-05-11', date: '2026-05-11', start: '2026-05-11T07:00:00.000Z', end: '2026-05-11T07:30:00.000Z' },
      { occurrenceId: 'series-1/0/2026-05-13', date: '2026-05-13', start: '2026-05-13T07:00:00.000Z', end: '2026-05-13T07:30:00.000Z' },
      { occurrenceId: 'series-1/0/2026-05-18', date: '2026-05-18', start: '2026-05-18T07:00:00.000Z', end: '2026-05-18T07:30:00.000Z' },
      { occurrenceId: 'series-1/0/2026-05-20', date: '2026-05-20', start: '2026-05-20T07:00:00.000Z', end: '2026-05-20T07:30:00.000Z' },
      { occurrenceId: 'series-1/0/2026-05-25', date: '2026-05-25', start: '2026-05-25T07:00:00.000Z', end: '2026-05-25T07:30:00.000Z' },
    ]);
    expect(event.data.skippedDates).toEqual([]);
    expect(openState([event]).occurrences.size).toBe(5);
  });

  const refusals: [string, AgendaCommand, string][] = [
    ['an end before the start', createSlot('x', '2026-05-11', '10:00', '09:00'), 'AvailabilityMustEndAfterItStarts'],
    ['a slot shorter than 5 minutes', createSlot('x', '2026-05-11', '10:00', '10:04'), 'AvailabilityIsTooShort'],
    ['an availability longer than 12 hours', createSlot('x', '2026-05-11', '07:00', '19:30'), 'AvailabilityIsTooLong'],
    ['no consultation type', createSlot('x', '2026-05-11', '10:00', '10:20', { types: [] }), 'AvailabilityNeedsAConsultationType'],
    ['an unknown consultation type', createSlot('x', '2026-05-11', '10:00', '10:20', { types: ['piscine' as never] }), 'UnknownConsultationType'],
    ['a range of 0 patients', createRange('x', '2026-05-11', '10:00', '12:00', 0), 'RangeCapacityIsInvalid'],
    ['a range of 51 patients', createRange('x', '2026-05-11', '10:00', '12:00', 51), 'RangeCapacityIsInvalid'],
    ['a start in the past', createSlot('x', '2026-05-04', '07:00', '07:20'), 'AvailabilityCannotStartInThePast'],
    ['a start more than a year ahead', createSlot('x', '2027-06-01', '10:00', '10:20'), 'AvailabilityIsTooFarAhead'],
    ['an invalid date', createSlot('x', '2026-02-30', '10:00', '10:20'), 'InvalidLocalDate'],
    ['an invalid time', createSlot('x', '2026-05-11', '9h', '10:20'), 'InvalidLocalTime'],
    ['an identifier with a slash', createSlot('a/0/2026-05-11', '2026-05-11', '10:00', '10:20'), 'InvalidIdentifier'],
    ['a recurrence without weekday', createWeeklySlots('x', '2026-05-11', '10:00', '10:20', [], '2026-06-01'), 'RecurrenceNeedsAWeekday'],
    ['a recurrence ending before it starts', createWeeklySlots('x', '2026-05-11', '10:00', '10:20', ['MO'], '2026-05-10'), 'RecurrenceMustEndAfterItStarts'],
    ['a recurrence reaching beyond a year', createWeeklySlots('x', '2026-05-11', '10:00', '10:20', ['MO'], '2027-06-01'), 'AvailabilityIsTooFarAhead'],
    ['an invalid RPPS', { ...createSlot('x', '2026-05-11', '10:00', '10:20'), effecteurId: '12345678901' }, 'InvalidRpps'],
  ];
  it.each(refusals)('refuses %s', (_, command, code) => {
    const error = spec.given([]).when(command).thenFails(code);
    expect(error.message).toMatch(/[a-zé]/); // a French sentence for the user
  });

  it('opens the agenda with an unavailability declared before any slot', () => {
    spec
      .given([])
      .when(declareUnavailability('off-1', '2026-07-01', '2026-07-15'))
      .then(expected(
        {
          type: 'AgendaUnavailabilityDeclared',
          data: {
            effecteurId: RPPS,
            by: EFFECTEUR,
            periodId: 'off-1',
            fromDate: '2026-07-01',
            toDate: '2026-07-15',
            start: '2026-06-30T22:00:00.000Z',
            end: '2026-07-15T22:00:00.000Z',
          },
        },
      ));
  });

  it('has nothing public and nobody unavailable', () => {
    expect(publicOccurrences(stateOf([]), NOW)).toEqual([]);
    expect(isUnavailableAt(stateOf([]), NOW)).toBe(false);
  });
});

describe('an agenda with a slot', () => {
  const given = historyOf(slotA);

  it('refuses an overlapping slot, range or series occurrence', () => {
    spec.given(given).when(createSlot('slot-b', '2026-05-11', '10:10', '10:30')).thenFails('AvailabilitiesCannotOverlap');
    spec.given(given).when(createRange('range-b', '2026-05-11', '09:00', '12:00', 5)).thenFails('AvailabilitiesCannotOverlap');
    const error = spec
      .given(given)
      .when(createWeeklySlots('series-b', '2026-05-04', '10:15', '10:45', ['MO'], '2026-06-01'))
      .thenFails('AvailabilitiesCannotOverlap');
    expect(error.message).toBe('Cette disponibilité chevauche une autre disponibilité le 11/05/2026 (10:00–10:20).');
  });

  it('accepts a slot that starts when it ends (intervals are half-open)', () => {
    expect(decideOn(given, createSlot('slot-b', '2026-05-11', '10:20', '10:40'))).toHaveLength(1);
    expect(decideOn(given, createSlot('slot-b', '2026-05-11', '09:40', '10:00'))).toHaveLength(1);
  });

  it('yields nothing when the same creation is sent again, and refuses its id for something else', () => {
    spec.given(given).when(slotA).thenNothingHappens();
    spec.given(given).when(createSlot('slot-a', '2026-05-11', '11:00', '11:20')).thenFails('AvailabilityIdIsAlreadyUsed');
  });

  it('modifies the slot, possibly into a range on another day', () => {
    spec
      .given(given)
      .when({ ...modifyOccurrence('slot-a', '2026-05-12', '10:30', '12:00'), offer: { kind: 'range', patients: 4 }, by: STRUCTURE_MANAGER })
      .then(expected(
        {
          type: 'AgendaOccurrenceModified',
          data: {
            effecteurId: RPPS,
            by: STRUCTURE_MANAGER,
            occurrenceId: 'slot-a',
            seriesId: null,
            kind: 'range',
            capacity: 4,
            date: '2026-05-12',
            startTime: '10:30',
            endTime: '12:00',
            start: '2026-05-12T08:30:00.000Z',
            end: '2026-05-12T10:00:00.000Z',
            consultationTypes: ['cabinet'],
          },
        },
      ));
    spec.given(given).when(modifyOccurrence('slot-a', '2026-05-11', '10:00', '10:20')).thenNothingHappens();
  });

  it('moving the slot onto another availability is refused', () => {
    const two = historyOf(slotA, createSlot('slot-b', '2026-05-11', '11:00', '11:20'));
    spec.given(two).when(modifyOccurrence('slot-a', '2026-05-11', '10:50', '11:10')).thenFails('AvailabilitiesCannotOverlap');
  });

  it('deletes the slot', () => {
    spec
      .given(given)
      .when(deleteOccurrence('slot-a'))
      .then([{ type: 'AgendaOccurrenceDeleted', data: { effecteurId: RPPS, by: EFFECTEUR, occurrenceId: 'slot-a', seriesId: null } }]);
    spec.given(given).when(deleteOccurrence('nope')).thenFails('AvailabilityDoesNotExist');
  });

  it('once started, the slot is history: neither modified nor deleted', () => {
    const later = { now: at('2026-05-11T08:05:00Z') };
    spec.given(given).when(deleteOccurrence('slot-a', later)).thenFails('PastAvailabilityCannotBeEdited');
    spec.given(given).when(modifyOccurrence('slot-a', '2026-05-12', '10:00', '10:20', later)).thenFails('PastAvailabilityCannotBeEdited');
  });

  it('is booked by a regulator, leaving no place', () => {
    spec
      .given(given)
      .when(book('slot-a', 'booking-1'))
      .then(expected(
        {
          type: 'AgendaOccurrenceBooked',
          data: {
            effecteurId: RPPS,
            by: REGULATOR,
            occurrenceId: 'slot-a',
            bookingId: 'booking-1',
            start: '2026-05-11T08:00:00.000Z',
            end: '2026-05-11T08:20:00.000Z',
            remainingPlaces: 0,
          },
        },
      ));
  });

  it('cannot be booked once it has ended', () => {
    spec.given(given).when(book('slot-a', 'booking-1', { now: at('2026-05-11T08:20:00Z') })).thenFails('AvailabilityHasEnded');
    spec.given(given).when(book('nope', 'booking-1')).thenFails('AvailabilityDoesNotExist');
  });

  it('is public until booked', () => {
    expect(publicOccurrences(stateOf(given), NOW).map((o) => o.occurrenceId)).toEqual(['slot-a']);
    expect(publicOccurrences(stateOf(historyOf(slotA, book('slot-a', 'b1'))), NOW)).toEqual([]);
  });

  it('belongs to its effecteur only', () => {
    spec.given(given).when({ ...createSlot('slot-z', '2026-05-12', '10:00', '10:20'), effecteurId: '10000000017' }).thenFails('AgendaBelongsToAnotherEffecteur');
  });
});

describe('an agenda with a booked slot', () => {
  const given = historyOf(slotA, book('slot-a', 'booking-1'));

  it('refuses a second booking', () => {
    const error = spec.given(given).when(book('slot-a', 'booking-2')).thenFails('SlotIsAlreadyBooked');
    expect(error.message).toBe('Ce créneau est déjà réservé.');
  });

  it('yields nothing when the same booking is sent again, and refuses its id for another slot', () => {
    spec.given(given).when(book('slot-a', 'booking-1')).thenNothingHappens();
    const withB = historyOf(slotA, createSlot('slot-b', '2026-05-11', '11:00', '11:20'), book('slot-a', 'booking-1'));
    spec.given(withB).when(book('slot-b', 'booking-1')).thenFails('BookingIdIsAlreadyUsed');
  });

  it('can be neither modified nor deleted, with a clear message', () => {
    const error = spec.given(given).when(modifyOccurrence('slot-a', '2026-05-11', '10:30', '10:50')).thenFails('BookedAvailabilityCannotBeEdited');
    expect(error.message).toBe('Ce créneau est déjà réservé : il ne peut être ni modifié ni supprimé.');
    expect(error.kind).toBe('conflict');
    spec.given(given).when(deleteOccurrence('slot-a')).thenFails('BookedAvailabilityCannotBeEdited');
  });

  it('is freed by cancelling the booking, then bookable and editable again', () => {
    spec
      .given(given)
      .when(cancel('booking-1'))
      .then(expected(
        {
          type: 'AgendaBookingCancelled',
          data: { effecteurId: RPPS, by: REGULATOR, occurrenceId: 'slot-a', bookingId: 'booking-1', remainingPlaces: 1 },
        },
      ));
    const cancelled = historyOf(slotA, book('slot-a', 'booking-1'), cancel('booking-1'));
    expect(decideOn(cancelled, book('slot-a', 'booking-2'))).toHaveLength(1);
    expect(decideOn(cancelled, deleteOccurrence('slot-a'))).toHaveLength(1);
    spec.given(cancelled).when(cancel('booking-1')).thenNothingHappens();
    spec.given(cancelled).when(book('slot-a', 'booking-1')).thenFails('BookingIdIsAlreadyUsed');
    spec.given(given).when(cancel('nope')).thenFails('BookingDoesNotExist');
  });
});

describe('an agenda with a range of 3 patients', () => {
  const range = createRange('range-1', '2026-05-12', '14:00', '16:00', 3);

  it('books one place at a time, the remaining places counting down to zero, then refuses', () => {
    const remaining = (events: ReturnType<typeof decideOn>) => (events[0]?.type === 'AgendaOccurrenceBooked' ? events[0].data.remainingPlaces : null);
    expect(remaining(decideOn(historyOf(range), book('range-1', 'b1')))).toBe(2);
    expect(remaining(decideOn(historyOf(range, book('range-1', 'b1')), book('range-1', 'b2')))).toBe(1);
    const full = historyOf(range, book('range-1', 'b1'), book('range-1', 'b2'), book('range-1', 'b3'));
    expect(openState(full).occurrences.get('range-1')?.bookingIds).toEqual(['b1', 'b2', 'b3']);
    spec.given(full).when(book('range-1', 'b4')).thenFails('RangeIsFull');
    expect(publicOccurrences(stateOf(full), NOW)).toEqual([]);
  });

  it('a cancellation frees a place', () => {
    const full = historyOf(range, book('range-1', 'b1'), book('range-1', 'b2'), book('range-1', 'b3'), cancel('b2'));
    expect(openState(full).occurrences.get('range-1')?.bookingIds).toEqual(['b1', 'b3']);
    expect(decideOn(full, book('range-1', 'b4'))[0]).toMatchObject({ data: { remainingPlaces: 0 } });
  });

  it('with a booking, the range is locked', () => {
    const error = spec.given(historyOf(range, book('range-1', 'b1'))).when(deleteOccurrence('range-1')).thenFails('BookedAvailabilityCannotBeEdited');
    expect(error.message).toBe('Cette plage a déjà des réservations : elle ne peut être ni modifiée ni supprimée.');
  });
});

describe('an agenda with a weekly series (Mondays and Wednesdays 09:00–09:30, 11 to 27 May)', () => {
  const series = createWeeklySlots('s1', '2026-05-11', '09:00', '09:30', ['MO', 'WE'], '2026-05-27');
  const given = historyOf(series);
  const ids = (events: readonly { occurrenceId: string }[]) => events.map((o) => o.occurrenceId);

  it('modifies one occurrence, which stays in the series', () => {
    const [event] = decideOn(given, modifyOccurrence('s1/0/2026-05-13', '2026-05-13', '11:00', '11:30'));
    expect(event).toMatchObject({ type: 'AgendaOccurrenceModified', data: { occurrenceId: 's1/0/2026-05-13', seriesId: 's1', start: '2026-05-13T09:00:00.000Z' } });
    const state = openState([...given, event!]);
    expect(state.occurrences.get('s1/0/2026-05-13')?.seriesId).toBe('s1');
    expect(state.occurrences.get('s1/0/2026-05-18')?.startTime).toBe('09:00');
  });

  it('deletes one occurrence, and a later change of the series does not bring it back', () => {
    const deleted = historyOf(series, deleteOccurrence('s1/0/2026-05-13'));
    expect(deleted.at(-1)).toEqual({
      type: 'AgendaOccurrenceDeleted',
      data: { effecteurId: RPPS, by: EFFECTEUR, occurrenceId: 's1/0/2026-05-13', seriesId: 's1' },
    });
    const [modified] = decideOn(deleted, modifySeries('s1', '10:00', '10:30', ['MO', 'WE'], '2026-05-27'));
    if (modified?.type !== 'AgendaSeriesModified') throw new Error('expected AgendaSeriesModified');
    expect(modified.data.occurrences.map((o) => o.date)).toEqual(['2026-05-11', '2026-05-18', '2026-05-20', '2026-05-25', '2026-05-27']);
  });

  it('modifies the whole series: unbooked future occurrences are replaced, a booked one is kept unchanged', () => {
    const booked = historyOf(series, book('s1/0/2026-05-18', 'b1'));
    const [event] = decideOn(booked, modifySeries('s1', '10:00', '10:20', ['MO', 'WE', 'FR'], '2026-05-25', { by: STRUCTURE_MANAGER }));
    if (event?.type !== 'AgendaSeriesModified') throw new Error('expected AgendaSeriesModified');
    expect(event.data).toMatchObject({ seriesId: 's1', revision: 1, startTime: '10:00', endTime: '10:20', weekdays: ['MO', 'WE', 'FR'], until: '2026-05-25', by: STRUCTURE_MANAGER });
    expect(event.data.keptOccurrenceIds).toEqual(['s1/0/2026-05-18']);
    expect(event.data.removedOccurrenceIds).toEqual(['s1/0/2026-05-11', 's1/0/2026-05-13', 's1/0/2026-05-20', 's1/0/2026-05-25', 's1/0/2026-05-27']);
    expect(ids(event.data.occurrences)).toEqual([
      's1/1/2026-05-11',
      's1/1/2026-05-13',
      's1/1/2026-05-15',
      's1/1/2026-05-20',
      's1/1/2026-05-22',
      's1/1/2026-05-25',
    ]);
    const state = openState([...booked, event]);
    expect(state.occurrences.get('s1/0/2026-05-18')).toMatchObject({ startTime: '09:00', bookingIds: ['b1'] });
    expect(state.series.get('s1')).toMatchObject({ revision: 1, startTime: '10:00' });
    expect(state.occurrences.size).toBe(7);
  });

  it('a change of the series leaves started occurrences alone', () => {
    const later = { now: at('2026-05-13T07:10:00Z') }; // Wednesday 13 May, 09:10 Paris: the 13 May occurrence has started
    const [event] = decideOn(given, modifySeries('s1', '11:00', '11:20', ['MO', 'WE'], '2026-05-27', later));
    if (event?.type !== 'AgendaSeriesModified') throw new Error('expected AgendaSeriesModified');
    expect(event.data.keptOccurrenceIds).toEqual(['s1/0/2026-05-11', 's1/0/2026-05-13']);
    expect(event.data.occurrences.map((o) => o.date)).toEqual(['2026-05-18', '2026-05-20', '2026-05-25', '2026-05-27']);
  });

  it('shortening the series removes its later occurrences', () => {
    const [event] = decideOn(given, modifySeries('s1', '09:00', '09:30', ['MO', 'WE'], '2026-05-13'));
    if (event?.type !== 'AgendaSeriesModified') throw new Error('expected AgendaSeriesModified');
    const state = openState([...given, event]);
    expect([...state.occurrences.values()].map((o) => o.date)).toEqual(['2026-05-11', '2026-05-13']);
  });

  it('refuses a change of the series that would overlap another availability', () => {
    const withSlot = historyOf(series, createSlot('other', '2026-05-20', '10:00', '10:20'));
    spec.given(withSlot).when(modifySeries('s1', '10:10', '10:40', ['MO', 'WE'], '2026-05-27')).thenFails('AvailabilitiesCannotOverlap');
  });

  it('yields nothing for a change that changes nothing; an unknown series is not found', () => {
    spec.given(given).when(modifySeries('s1', '09:00', '09:30', ['WE', 'MO'], '2026-05-27')).thenNothingHappens();
    spec.given(given).when(modifySeries('zz', '09:00', '09:30', ['MO'], '2026-05-27')).thenFails('SeriesDoesNotExist');
    spec.given(given).when(deleteSeries('zz')).thenFails('SeriesDoesNotExist');
  });

  it('a booked occurrence of the series cannot be modified on its own', () => {
    const booked = historyOf(series, book('s1/0/2026-05-18', 'b1'));
    spec.given(booked).when(modifyOccurrence('s1/0/2026-05-18', '2026-05-18', '12:00', '12:30')).thenFails('BookedAvailabilityCannotBeEdited');
  });

  it('deletes the whole series but keeps the booked occurrence, which stays as a one-off', () => {
    const booked = historyOf(series, book('s1/0/2026-05-20', 'b1'));
    spec
      .given(booked)
      .when(deleteSeries('s1'))
      .then(expected(
        {
          type: 'AgendaSeriesDeleted',
          data: {
            effecteurId: RPPS,
            by: EFFECTEUR,
            seriesId: 's1',
            deletedOccurrenceIds: ['s1/0/2026-05-11', 's1/0/2026-05-13', 's1/0/2026-05-18', 's1/0/2026-05-25', 's1/0/2026-05-27'],
            keptOccurrenceIds: ['s1/0/2026-05-20'],
          },
        },
      ));
    const state = openState(historyOf(series, book('s1/0/2026-05-20', 'b1'), deleteSeries('s1')));
    expect([...state.occurrences.values()]).toMatchObject([{ occurrenceId: 's1/0/2026-05-20', seriesId: null, bookingIds: ['b1'] }]);
    expect(state.series.size).toBe(0);
  });

  it('never gives the id of a deleted series or one-off again (a booked occurrence it kept keeps its id)', () => {
    const deleted = historyOf(series, book('s1/0/2026-05-20', 'b1'), deleteSeries('s1'));
    spec.given(deleted).when(series).thenFails('AvailabilityIdIsAlreadyUsed');
    spec.given(historyOf(slotA, deleteOccurrence('slot-a'))).when(slotA).thenFails('AvailabilityIdIsAlreadyUsed');
  });

  it('yields nothing when the same series is created again, and refuses its id for another series', () => {
    spec.given(given).when(series).thenNothingHappens();
    spec.given(given).when({ ...series, recurrence: { weekdays: ['TU'], until: '2026-05-27' } }).thenFails('AvailabilityIdIsAlreadyUsed');
  });
});

describe('unavailability', () => {
  const slotInJuly = createSlot('slot-july', '2026-07-06', '10:00', '10:20');

  it('allows at most three periods not yet over, and a past period does not count', () => {
    const three = historyOf(
      declareUnavailability('p1', '2026-06-01', '2026-06-02'),
      declareUnavailability('p2', '2026-07-01', '2026-07-02'),
      declareUnavailability('p3', '2026-08-01', '2026-08-02'),
    );
    const error = spec.given(three).when(declareUnavailability('p4', '2026-09-01', '2026-09-02')).thenFails('UnavailabilityPeriodsAreLimitedToThree');
    expect(error.message).toMatch(/au plus 3 périodes/);
    // once the first is over, there is room again
    expect(decideOn(three, declareUnavailability('p4', '2026-09-01', '2026-09-02', { now: at('2026-06-03T10:00:00Z') }))).toHaveLength(1);
    // and after removing one
    expect(decideOn([...three, ...decideOn(three, removeUnavailability('p2'))], declareUnavailability('p4', '2026-09-01', '2026-09-02'))).toHaveLength(1);
  });

  it('refuses overlapping periods, a period ending before it starts, a period entirely past', () => {
    const one = historyOf(declareUnavailability('p1', '2026-06-01', '2026-06-10'));
    spec.given(one).when(declareUnavailability('p2', '2026-06-10', '2026-06-12')).thenFails('UnavailabilityPeriodsCannotOverlap');
    expect(decideOn(one, declareUnavailability('p2', '2026-06-11', '2026-06-12'))).toHaveLength(1);
    spec.given([]).when(declareUnavailability('p1', '2026-06-10', '2026-06-01')).thenFails('UnavailabilityMustEndAfterItStarts');
    spec.given([]).when(declareUnavailability('p1', '2026-05-01', '2026-05-03')).thenFails('UnavailabilityIsInThePast');
    spec.given(one).when(declareUnavailability('p1', '2026-06-01', '2026-06-10')).thenNothingHappens();
    spec.given(one).when(declareUnavailability('p1', '2026-06-01', '2026-06-11')).thenFails('UnavailabilityIdIsAlreadyUsed');
  });

  it('removes a period; an unknown one is not found', () => {
    const one = historyOf(declareUnavailability('p1', '2026-06-01', '2026-06-10'));
    spec.given(one).when(removeUnavailability('p1')).then([{ type: 'AgendaUnavailabilityRemoved', data: { effecteurId: RPPS, by: EFFECTEUR, periodId: 'p1' } }]);
    spec.given(one).when(removeUnavailability('p9')).thenFails('UnavailabilityDoesNotExist');
  });

  it('"is this instant unavailable": whole Paris days, end exclusive', () => {
    const state = stateOf(historyOf(declareUnavailability('p1', '2026-07-01', '2026-07-15')));
    expect(isUnavailableAt(state, at('2026-06-30T21:59:59Z'))).toBe(false);
    expect(isUnavailableAt(state, at('2026-06-30T22:00:00Z'))).toBe(true); // 1 July 00:00 Paris
    expect(isUnavailableAt(state, at('2026-07-15T21:59:59Z'))).toBe(true);
    expect(isUnavailableAt(state, at('2026-07-15T22:00:00Z'))).toBe(false); // 16 July 00:00 Paris
  });

  it('hides the slots it covers and refuses to book them; removing it shows them again', () => {
    const hidden = historyOf(slotInJuly, declareUnavailability('p1', '2026-07-01', '2026-07-15'));
    expect(publicOccurrences(stateOf(hidden), NOW)).toEqual([]);
    const error = spec.given(hidden).when(book('slot-july', 'b1')).thenFails('EffecteurIsUnavailable');
    expect(error.message).toMatch(/indisponible/);
    const shown = historyOf(slotInJuly, declareUnavailability('p1', '2026-07-01', '2026-07-15'), removeUnavailability('p1'));
    expect(publicOccurrences(stateOf(shown), NOW).map((o) => o.occurrenceId)).toEqual(['slot-july']);
  });

  it('the indefinite switch hides everything until cleared; setting or clearing twice yields nothing', () => {
    spec.given([]).when(setIndefinite()).then([{ type: 'AgendaIndefiniteUnavailabilitySet', data: { effecteurId: RPPS, by: EFFECTEUR } }]);
    const off = historyOf(slotInJuly, setIndefinite());
    spec.given(off).when(setIndefinite()).thenNothingHappens();
    expect(isUnavailableAt(stateOf(off), at('2030-01-01T00:00:00Z'))).toBe(true);
    expect(publicOccurrences(stateOf(off), NOW)).toEqual([]);
    spec.given(off).when(book('slot-july', 'b1')).thenFails('EffecteurIsUnavailable');
    spec.given(off).when(clearIndefinite()).then([{ type: 'AgendaIndefiniteUnavailabilityCleared', data: { effecteurId: RPPS, by: EFFECTEUR } }]);
    spec.given(historyOf(slotInJuly)).when(clearIndefinite()).thenNothingHappens();
    expect(publicOccurrences(stateOf(historyOf(slotInJuly, setIndefinite(), clearIndefinite())), NOW)).toHaveLength(1);
  });

  it('slots may still be entered while unavailable (they show once it ends)', () => {
    expect(decideOn(historyOf(setIndefinite()), slotInJuly)).toHaveLength(1);
  });
});
