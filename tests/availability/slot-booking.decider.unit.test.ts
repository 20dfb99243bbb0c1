import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deciderSpecification } from '../../src/shared-kernel/decider/decider-specification.ts';
import { fold } from '../../src/shared-kernel/decider/decider.ts';
import { DomainError } from '../../src/shared-kernel/errors/result.ts';
import { slotDecider, type SlotCommand, type SlotEvent, type SlotState } from '../../src/modules/availability/domain/slot.decider.ts';

const SLOT = '4f6a1f3e-8a5b-4c1e-9d3a-2b7c6e5f4a10';
const RPPS = '10000000009';
const NOW = new Date('2030-03-04T08:00:00Z');
const START = '2030-03-04T10:00:00.000Z';
const END = '2030-03-04T10:20:00.000Z';
const B1 = 'b0000000-0000-4000-8000-000000000001';
const B2 = 'b0000000-0000-4000-8000-000000000002';

const published: SlotEvent = {
  type: 'SlotPublished',
  data: { slotId: SLOT, effecteurId: RPPS, start: START, end: END, consultationTypes: ['cabinet'], source: 'manual' },
};
const booked = (bookingId: string, orientationId: string | null = null): SlotEvent => ({
  type: 'SlotBooked',
  data: { slotId: SLOT, effecteurId: RPPS, bookingId, start: START, end: END, source: 'manual', remainingPlaces: 0, orientationId },
});
const cancelled = (bookingId: string, reason: string | null = null): SlotEvent => ({
  type: 'BookingCancelled',
  data: { slotId: SLOT, effecteurId: RPPS, bookingId, reason, remainingPlaces: 1 },
});
const withdrawn: SlotEvent = { type: 'SlotWithdrawn', data: { slotId: SLOT, effecteurId: RPPS, reason: null } };

const book = (bookingId: string, now = NOW, orientationId: string | null = null): SlotCommand => ({ type: 'BookSlot', slotId: SLOT, bookingId, orientationId, now });
const cancel = (bookingId: string, reason: string | null = null): SlotCommand => ({ type: 'CancelBooking', slotId: SLOT, bookingId, reason });

const spec = deciderSpecification(slotDecider);

describe('slot booking', () => {
  describe('a published slot', () => {
    it('is booked: SlotBooked with no place left, carrying the orientation', () => {
      const orientationId = '0e0e0e0e-0000-4000-8000-000000000000';
      spec.given([published]).when(book(B1, NOW, orientationId)).then([booked(B1, orientationId)]);
    });
    it('cannot be booked once it has started', () => {
      spec.given([published]).when(book(B1, new Date(START))).thenFails('SlotHasStarted');
      spec.given([published]).when(book(B1, new Date(Date.parse(END) + 1))).thenFails('SlotHasStarted');
    });
    it('refuses the cancellation of a booking it never had (404)', () => {
      expect(spec.given([published]).when(cancel(B1)).thenFails('BookingDoesNotExist').kind).toBe('not-found');
    });
  });

  describe('a booked slot', () => {
    it('refuses another booking with 409 SlotAlreadyBooked', () => {
      expect(spec.given([published, booked(B1)]).when(book(B2)).thenFails('SlotAlreadyBooked').kind).toBe('conflict');
    });
    it('accepts the same booking sent again without a new event (a client retry)', () => {
      spec.given([published, booked(B1)]).when(book(B1)).thenNothingHappens();
    });
    it('cannot be withdrawn', () => {
      spec.given([published, booked(B1)]).when({ type: 'WithdrawSlot', slotId: SLOT, reason: null, now: NOW }).thenFails('BookedSlotCannotBeEdited');
    });
    it('is freed by the cancellation of its booking', () => {
      spec.given([published, booked(B1)]).when(cancel(B1, 'patient rappelé')).then([cancelled(B1, 'patient rappelé')]);
    });
    it('refuses the cancellation of another booking id (404)', () => {
      spec.given([published, booked(B1)]).when(cancel(B2)).thenFails('BookingDoesNotExist');
    });
  });

  describe('a slot whose booking was cancelled', () => {
    it('can be booked again, under a new booking id', () => {
      spec.given([published, booked(B1), cancelled(B1)]).when(book(B2)).then([booked(B2)]);
    });
    it('does not reuse the cancelled booking id', () => {
      spec.given([published, booked(B1), cancelled(B1)]).when(book(B1)).thenFails('BookingIdIsAlreadyUsed');
    });
    it('appends nothing when the cancellation is sent again', () => {
      spec.given([published, booked(B1), cancelled(B1)]).when(cancel(B1)).thenNothingHappens();
    });
    it('can be withdrawn again', () => {
      spec.given([published, booked(B1), cancelled(B1)]).when({ type: 'WithdrawSlot', slotId: SLOT, reason: null, now: NOW }).then([withdrawn]);
    });
  });

  describe('an unknown or withdrawn slot', () => {
    it('unknown: booking and cancelling are 404', () => {
      spec.given([]).when(book(B1)).thenFails('SlotDoesNotExist');
      spec.given([]).when(cancel(B1)).thenFails('SlotDoesNotExist');
    });
    it('withdrawn: booking is refused with 409', () => {
      spec.given([published, withdrawn]).when(book(B1)).thenFails('SlotWasWithdrawn');
    });
    it('withdrawn after a cancelled booking: that cancellation sent again changes nothing', () => {
      spec.given([published, booked(B1), cancelled(B1), withdrawn]).when(cancel(B1)).thenNothingHappens();
    });
  });

  it('a publication sent again while the slot is booked changes nothing', () => {
    spec
      .given([published, booked(B1)])
      .when({ type: 'PublishSlot', slotId: SLOT, effecteurId: RPPS, start: new Date(START), end: new Date(END), consultationTypes: ['cabinet'], now: NOW })
      .thenNothingHappens();
  });
});

/**
 * Model-based: random sequences of bookings (ids from a small pool, so retries and reuse happen), cancellations,
 * withdrawals and time passing. After every step: the slot is never booked twice (at most one active booking,
 * SlotBooked only when none is active), outcomes are those a tiny independent model predicts, and the state is
 * always the fold of the recorded history.
 */
describe('slot booking model', () => {
  type Step =
    | { kind: 'book'; id: number }
    | { kind: 'cancel'; id: number }
    | { kind: 'withdraw' }
    | { kind: 'tick'; minutes: number };
  const ids = Array.from({ length: 5 }, (_, i) => `b0000000-0000-4000-8000-00000000000${i}`);
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 5, arbitrary: fc.record({ kind: fc.constant('book' as const), id: fc.nat(4) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('cancel' as const), id: fc.nat(4) }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'withdraw' as const }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 40 }) }) },
  );

  it('never books a slot twice and always agrees with the model', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let state: SlotState = fold(slotDecider, [published]);
        const history: SlotEvent[] = [published];
        let now = NOW;
        // The model: the active booking, the cancelled ones, withdrawn or not.
        let active: string | null = null;
        const cancelledIds = new Set<string>();
        let isWithdrawn = false;

        const run = (command: SlotCommand): { events: readonly SlotEvent[] } | { code: string } => {
          try {
            const events = slotDecider.decide(command, state);
            for (const event of events) {
              expect(event.type === 'SlotBooked' && active !== null).toBe(false); // never a second active booking
              state = slotDecider.evolve(state, event);
              history.push(event);
            }
            return { events };
          } catch (error) {
            if (error instanceof DomainError) return { code: error.code };
            throw error;
          }
        };

        for (const s of steps) {
          if (s.kind === 'tick') {
            now = new Date(now.getTime() + s.minutes * 60_000);
            continue;
          }
          if (s.kind === 'withdraw') {
            const outcome = run({ type: 'WithdrawSlot', slotId: SLOT, reason: null, now });
            const expected =
              isWithdrawn ? 'nothing' : active !== null ? 'BookedSlotCannotBeEdited' : Date.parse(END) <= now.getTime() ? 'PastSlotCannotBeWithdrawn' : 'SlotWithdrawn';
            expect('code' in outcome ? outcome.code : (outcome.events[0]?.type ?? 'nothing')).toBe(expected);
            if (expected === 'SlotWithdrawn') isWithdrawn = true;
            continue;
          }
          const id = ids[s.id]!;
          if (s.kind === 'book') {
            const outcome = run(book(id, now));
            const expected = isWithdrawn
              ? 'SlotWasWithdrawn'
              : active === id
                ? 'nothing'
                : active !== null
                  ? 'SlotAlreadyBooked'
                  : cancelledIds.has(id)
                    ? 'BookingIdIsAlreadyUsed'
                    : Date.parse(START) <= now.getTime()
                      ? 'SlotHasStarted'
                      : 'SlotBooked';
            expect('code' in outcome ? outcome.code : (outcome.events[0]?.type ?? 'nothing')).toBe(expected);
            if (expected === 'SlotBooked') active = id;
          } else {
            const outcome = run(cancel(id));
            const expected = cancelledIds.has(id) ? 'nothing' : active === id ? 'BookingCancelled' : 'BookingDoesNotExist';
            expect('code' in outcome ? outcome.code : (outcome.events[0]?.type ?? 'nothing')).toBe(expected);
            if (expected === 'BookingCancelled') {
              cancelledIds.add(id);
              active = null;
            }
          }
          // Invariants after every step.
          const bookedCount = history.filter((e) => e.type === 'SlotBooked').length;
          const cancelledCount = history.filter((e) => e.type === 'BookingCancelled').length;
          expect(bookedCount - cancelledCount).toBe(active === null ? 0 : 1);
          expect(state.status === 'booked' ? state.bookingId : null).toBe(active);
          expect(fold(slotDecider, history)).toEqual(state);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('any valid history folds without throwing', () => {
    const event = fc.constantFrom<SlotEvent>(published, booked(B1), booked(B2), cancelled(B1), cancelled(B2), withdrawn);
    fc.assert(fc.property(fc.array(event, { maxLength: 20 }), (events) => void fold(slotDecider, events)));
  });
});
