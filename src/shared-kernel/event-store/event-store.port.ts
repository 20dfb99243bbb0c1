import type { DomainEvent, EventEnvelope, RecordedEvent } from '../events/envelope.ts';

/**
 * What the writer expects of the stream before its append:
 * - `'no-stream'`: the stream must not exist yet;
 * - `'any'`: no check;
 * - `'stream-exists'`: the stream must have at least one event;
 * - a number: the revision of the stream's last event must be exactly that.
 */
export type ExpectedRevision = 'no-stream' | 'any' | 'stream-exists' | number;

export interface AppendResult {
  /** Revision of the last event appended (0-based). */
  readonly nextExpectedRevision: number;
  /** Global position of the last event appended. */
  readonly position: number;
}

/** Events to read: a list of event types and/or a stream-name prefix (both must match when both are set). */
export interface EventFilter {
  readonly eventTypes?: readonly string[];
  readonly streamPrefix?: string;
}

export interface ReadAllOptions {
  /** Read events strictly after this global position (a checkpoint); 0 or absent reads from the start. */
  readonly after?: number;
  readonly limit?: number;
  readonly filter?: EventFilter;
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive); defaults to 0. */
  readonly fromRevision?: number;
  readonly limit?: number;
}

export interface SubscribeOptions {
  readonly after?: number;
  readonly filter?: EventFilter;
  /** Events per page during catch-up. */
  readonly batchSize?: number;
  /** Called once when the subscription has read everything committed and turns live. */
  readonly onCaughtUp?: (position: number) => void;
  /** Called if the handler or the store fails; the subscription stops after it. */
  readonly onError?: (error: unknown) => void;
}

/** Handler of a subscription: receives events in global order, one batch at a time. */
export type SubscriptionHandler = (events: readonly RecordedEvent[]) => Promise<void> | void;

export interface Subscription {
  /** Stops the subscription after the batch being handled, if any, has finished. */
  stop(): Promise<void>;
  /** Resolves when the subscription has stopped (by `stop()` or an error). */
  readonly done: Promise<void>;
  /** Global position of the last event handled. */
  readonly position: number;
  /** Position up to which the log has been read, matching events or not (with a filter it can pass `position`). */
  readonly scannedTo?: number;
}

/** One stream's part of a multi-stream append. */
export interface StreamAppend {
  readonly streamName: string;
  readonly events: readonly EventEnvelope<DomainEvent>[];
  readonly expectedRevision?: ExpectedRevision;
}

/** The event store port. Every adapter passes the same contract test suite (tests/contracts). */
export interface EventStore {
  readonly name: string;
  appendToStream(
    streamName: string,
    events: readonly EventEnvelope<DomainEvent>[],
    options?: { readonly expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult>;
  /**
   * Appends to many streams at once, for bulk loads (imports, demo data, vendor batches). Each part's expected
   * revision is checked. `atomic` adapters (SQL) write all parts or none in one transaction; the others (EventStoreDB,
   * which has no multi-stream transaction) append part by part and stop at the first failure.
   */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** Whether `appendMany` writes all parts or none. */
  readonly atomicAppendMany: boolean;
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription;
  /** Global position of the most recent event (0 when empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

/** Thrown when an append's expected revision does not match the stream: somebody else wrote first. */
export class ConcurrencyError extends Error {
  readonly streamName: string;
  readonly expected: ExpectedRevision;
  readonly actual: number | 'no-stream';
  constructor(streamName: string, expected: ExpectedRevision, actual: number | 'no-stream') {
    super(`Stream ${streamName}: expected revision ${String(expected)}, found ${String(actual)}`);
    this.name = 'ConcurrencyError';
    this.streamName = streamName;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Checks an expected revision against the current revision (`-1` when the stream does not exist). */
export function checkExpectedRevision(streamName: string, expected: ExpectedRevision, current: number): void {
  const fails =
    (expected === 'no-stream' && current !== -1) ||
    (expected === 'stream-exists' && current === -1) ||
    (typeof expected === 'number' && expected !== current);
  if (fails) throw new ConcurrencyError(streamName, expected, current === -1 ? 'no-stream' : current);
}

/** Stream names are `<module>.<aggregate>-<id>`; letters, digits and `._:-` only. */
export const STREAM_NAME_PATTERN = /^[a-z][a-z0-9-]*\.[a-z][a-z0-9-]*-[A-Za-z0-9._:-]+$/;

export function assertValidStreamName(streamName: string): void {
  if (!STREAM_NAME_PATTERN.test(streamName)) {
    throw new TypeError(`Invalid stream name "${streamName}": expected <module>.<aggregate>-<id>`);
  }
}

/**
 * What every adapter checks before an `appendMany` writes anything: valid stream names, at least one event with a
 * type per part, each stream at most once (two parts of one stream would race their own expected revisions).
 */
export function assertValidAppends(appends: readonly StreamAppend[]): void {
  const seen = new Set<string>();
  for (const part of appends) {
    assertValidStreamName(part.streamName);
    if (part.events.length === 0) throw new TypeError(`appendMany: no event for ${part.streamName}`);
    if (seen.has(part.streamName)) throw new TypeError(`appendMany: ${part.streamName} appears twice`);
    seen.add(part.streamName);
    for (const event of part.events) if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('An event needs a type');
  }
}
