import { randomUUID } from 'node:crypto';
import type { CommandContext, DomainEvent, EventEnvelope } from '../events/envelope.ts';
import { metadataFor } from '../events/envelope.ts';
import { ConcurrencyError, type EventStore, type ExpectedRevision } from '../event-store/event-store.port.ts';
import { fold, type Decider } from '../decider/decider.ts';

export interface HandleOptions {
  /**
   * Retry on a concurrency conflict by reloading the stream and deciding again. Only for commands whose
   * decision stays valid against any newer state (the decider re-checks its rules on the fresh state).
   */
  readonly retryOnConflict?: boolean;
  /** Attempts in all when retrying (default 3). */
  readonly maxAttempts?: number;
  /** Overrides the expected revision (e.g. from an HTTP If-Match header): the append fails if the stream moved. */
  readonly expectedRevision?: number;
  readonly schemaVersion?: number;
}

export interface HandleResult<Event extends DomainEvent, State> {
  readonly events: readonly EventEnvelope<Event>[];
  readonly state: State;
  /** Revision of the stream after the command (-1: the stream still does not exist). */
  readonly revision: number;
  readonly position: number | null;
  readonly attempts: number;
}

/**
 * Runs a command against an event-sourced aggregate: loads its stream, folds its state, decides, and appends the
 * new events with the revision it read as the expected revision, so a concurrent writer makes it fail rather
 * than both win.
 */
export class CommandHandler<Command, Event extends DomainEvent, State> {
  readonly #store: EventStore;
  readonly #decider: Decider<Command, Event, State>;
  readonly #newId: () => string;

  constructor(store: EventStore, decider: Decider<Command, Event, State>, newId: () => string = randomUUID) {
    this.#store = store;
    this.#decider = decider;
    this.#newId = newId;
  }

  /** Loads the current state and revision of a stream. */
  async load(streamName: string): Promise<{ state: State; revision: number }> {
    const recorded = await this.#store.readStream(streamName);
    const state = fold(this.#decider, recorded as unknown as readonly Event[]);
    return { state, revision: recorded.length === 0 ? -1 : recorded[recorded.length - 1]!.streamRevision };
  }

  async handle(
    streamName: string,
    command: Command,
    ctx: CommandContext,
    options: HandleOptions = {},
  ): Promise<HandleResult<Event, State>> {
    const maxAttempts = options.retryOnConflict ? Math.max(1, options.maxAttempts ?? 3) : 1;
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(streamName);
      if (options.expectedRevision !== undefined && options.expectedRevision !== revision) {
        throw new ConcurrencyError(streamName, options.expectedRevision, revision === -1 ? 'no-stream' : revision);
      }
      const decided = this.#decider.decide(command, state);
      const newState = fold(this.#decider, decided, state);
      if (decided.length === 0) return { events: [], state: newState, revision, position: null, attempts: attempt };
      const metadata = metadataFor(ctx, this.#newId, options.schemaVersion);
      const envelopes = decided.map((event) => ({ ...event, metadata: metadata() }) as EventEnvelope<Event>);
      const expectedRevision: ExpectedRevision = revision === -1 ? 'no-stream' : revision;
      try {
        const appended = await this.#store.appendToStream(streamName, envelopes, { expectedRevision });
        return {
          events: envelopes,
          state: newState,
          revision: appended.nextExpectedRevision,
          position: appended.position,
          attempts: attempt,
        };
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt >= maxAttempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
      }
    }
  }
}
