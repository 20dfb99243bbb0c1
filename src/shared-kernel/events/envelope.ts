/** Who caused an event: an account acting in a role, or the platform itself (`system`). */
export interface Actor {
  readonly accountId: string;
  readonly role: string;
}

export const systemActor: Actor = { accountId: 'system', role: 'system' };

export interface EventMetadata {
  readonly eventId: string;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly actor: Actor;
  /** ISO-8601 instant in UTC. */
  readonly occurredAt: string;
  readonly schemaVersion: number;
}

/** A domain or integration event: readonly `{ type, data }`, past-tense type, data holds the aggregate id. */
export interface DomainEvent<Type extends string = string, Data extends Record<string, unknown> = Record<string, unknown>> {
  readonly type: Type;
  readonly data: Data;
}

/** An event as written: the event plus its metadata. */
export type EventEnvelope<E extends DomainEvent = DomainEvent> = E & { readonly metadata: EventMetadata };

/** An event as read back from the store. */
export type RecordedEvent<E extends DomainEvent = DomainEvent> = EventEnvelope<E> & {
  readonly streamName: string;
  /** 0-based position of the event inside its stream. */
  readonly streamRevision: number;
  /** Position in the global log; strictly increasing in the order subscribers see events. */
  readonly position: number;
};

/** What every command carries besides its payload: the acting account, time and tracing ids. */
export interface CommandContext {
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId?: string | null;
  /** The instant the command is decided at (injected clock). */
  readonly now: Date;
}

/** Builds the metadata of events produced for one command. */
export function metadataFor(ctx: CommandContext, newId: () => string, schemaVersion = 1): () => EventMetadata {
  return () => ({
    eventId: newId(),
    correlationId: ctx.correlationId,
    causationId: ctx.causationId ?? null,
    actor: ctx.actor,
    occurredAt: ctx.now.toISOString(),
    schemaVersion,
  });
}
