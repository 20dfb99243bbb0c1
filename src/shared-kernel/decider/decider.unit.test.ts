import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conflictError } from '../errors/result.ts';
import { fold, type Decider } from './decider.ts';
import { deciderSpecification } from './decider-specification.ts';

// A tiny bounded counter, enough to exercise the toolkit itself.
type CounterEvent = { type: 'Incremented'; data: { by: number } } | { type: 'Reset'; data: Record<string, never> };
type CounterCommand = { type: 'Increment'; by: number } | { type: 'Reset' };
const MAX = 100;
const counter: Decider<CounterCommand, CounterEvent, { value: number }> = {
  initialState: () => ({ value: 0 }),
  evolve: (state, event) => (event.type === 'Incremented' ? { value: state.value + event.data.by } : { value: 0 }),
  decide: (command, state) => {
    if (command.type === 'Reset') return state.value === 0 ? [] : [{ type: 'Reset', data: {} }];
    if (state.value + command.by > MAX) throw conflictError('CounterCannotExceedMax', `at most ${MAX}`);
    return [{ type: 'Incremented', data: { by: command.by } }];
  },
};

const commandArb: fc.Arbitrary<CounterCommand> = fc.oneof(
  fc.record({ type: fc.constant('Increment' as const), by: fc.integer({ min: 1, max: 30 }) }),
  fc.constant({ type: 'Reset' as const }),
);

describe('decider toolkit', () => {
  it('fold over no events is the initial state', () => {
    expect(fold(counter, [])).toEqual({ value: 0 });
  });

  it('folding a history in two parts equals folding it whole', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 5 }).map((by) => ({ type: 'Incremented' as const, data: { by } }))), fc.nat(), (events, cut) => {
        const at = events.length === 0 ? 0 : cut % (events.length + 1);
        expect(fold(counter, events.slice(at), fold(counter, events.slice(0, at)))).toEqual(fold(counter, events));
      }),
    );
  });

  it('any command sequence run through decide/evolve keeps the invariant and folds without throwing', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 60 }), (commands) => {
        let state = counter.initialState();
        const history: CounterEvent[] = [];
        for (const command of commands) {
          try {
            const events = counter.decide(command, state);
            history.push(...events);
            state = fold(counter, events, state);
          } catch {
            // refused commands change nothing
          }
          expect(state.value).toBeLessThanOrEqual(MAX);
        }
        expect(fold(counter, history)).toEqual(state);
      }),
    );
  });

  describe('given/when/then', () => {
    const spec = deciderSpecification(counter);
    it('passes when the events match', () => {
      spec.given([{ type: 'Incremented', data: { by: 2 } }]).when({ type: 'Increment', by: 3 }).then([{ type: 'Incremented', data: { by: 3 } }]);
    });
    it('fails when the events differ', () => {
      expect(() => spec.given([]).when({ type: 'Increment', by: 3 }).then([{ type: 'Incremented', data: { by: 4 } }])).toThrow(/Expected events/);
    });
    it('checks the named rule a command breaks', () => {
      const error = spec.given([{ type: 'Incremented', data: { by: 99 } }]).when({ type: 'Increment', by: 2 }).thenFails('CounterCannotExceedMax');
      expect(error.kind).toBe('conflict');
      expect(() => spec.given([]).when({ type: 'Increment', by: 2 }).thenFails('CounterCannotExceedMax')).toThrow(/Expected CounterCannotExceedMax/);
    });
    it('sees an idempotent command produce nothing', () => {
      spec.given([]).when({ type: 'Reset' }).thenNothingHappens();
      expect(() => spec.given([{ type: 'Incremented', data: { by: 1 } }]).when({ type: 'Reset' }).thenNothingHappens()).toThrow();
    });
  });
});
