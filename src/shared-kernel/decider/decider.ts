import type { DomainEvent } from '../events/envelope.ts';

/**
 * An aggregate as a decider (Jérémie Chassaing): pure functions, no I/O, time passed in the command.
 * `decide` returns the events a command produces, or throws a `DomainError` naming the broken rule.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  decide(command: Command, state: State): readonly Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** Folds events into a state with the decider's `evolve`. */
export function fold<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
  events: readonly Event[],
  from: State = decider.initialState(),
): State {
  let state = from;
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
