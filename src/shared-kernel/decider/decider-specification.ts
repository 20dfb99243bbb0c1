import { DomainError } from '../errors/result.ts';
import type { DomainEvent } from '../events/envelope.ts';
import { fold, type Decider } from './decider.ts';

type Outcome<Event> = { readonly events: readonly Event[] } | { readonly error: unknown };

/**
 * Given/when/then for deciders: `given(history).when(command).then(events)` or `.thenFails(code)`.
 * Framework-agnostic: it throws an `Error` describing the difference, which any test runner reports.
 */
export function deciderSpecification<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>) {
  return {
    given(history: readonly Event[]) {
      return {
        when(command: Command) {
          const run = (): Outcome<Event> => {
            try {
              return { events: decider.decide(command, fold(decider, history)) };
            } catch (error) {
              return { error };
            }
          };
          return {
            then(expected: readonly Event[]): void {
              const outcome = run();
              if ('error' in outcome) throw new Error(`Expected events but the command failed: ${String(outcome.error)}`);
              const actual = JSON.stringify(outcome.events);
              if (actual !== JSON.stringify(expected)) {
                throw new Error(`Expected events\n  ${JSON.stringify(expected)}\nbut got\n  ${actual}`);
              }
            },
            thenNothingHappens(): void {
              const outcome = run();
              if ('error' in outcome) throw new Error(`Expected no events but the command failed: ${String(outcome.error)}`);
              if (outcome.events.length > 0) throw new Error(`Expected no events but got ${JSON.stringify(outcome.events)}`);
            },
            thenFails(code: string): DomainError {
              const outcome = run();
              if (!('error' in outcome)) throw new Error(`Expected ${code} but got events ${JSON.stringify(outcome.events)}`);
              if (!(outcome.error instanceof DomainError) || outcome.error.code !== code) {
                throw new Error(`Expected DomainError ${code} but got ${String(outcome.error)}`);
              }
              return outcome.error;
            },
          };
        },
      };
    },
  };
}
