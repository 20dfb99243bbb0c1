/**
 * The event store over EventStoreDB (KurrentDB), through the official gRPC client `@eventstore/db-client`.
 * It is held to the same contract suite as the SQL adapter (tests/contracts/event-store.contract.ts), which
 * runs against it only when a server is reachable through EVENTSTORE_URL; see docs/adr/0003-eventstoredb-adapter.md.
 *
 * Positions. EventStoreDB addresses an event in `$all` by `{ commit, prepare }`, two bigints (byte offsets in
 * its transaction log). Every append made through gRPC is an implicit transaction whose events each carry
 * `commit === prepare` (the event's own log position), unique and increasing in `$all` order. The port's
 * `position` is that commit position as a `number`: exact up to 2^53 − 1 bytes of log (8 PiB), checked on
 * every conversion. A checkpoint `after` maps back to `{ commit: after, prepare: after }`. Positions are only
 * meaningful for the store they come from and must be positions this adapter returned (or 0).
 */
import {
  ANY,
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  eventTypeFilter,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  streamNameFilter,
  StreamNotFoundError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type Filter,
  type Position as EsdbPosition,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import type { DomainEvent, EventEnvelope, EventMetadata, RecordedEvent } from '../events/envelope.ts';
import { UpcasterRegistry } from '../events/upcasters.ts';
import {
  assertValidAppends,
  assertValidStreamName,
  ConcurrencyError,
  type AppendResult,
  type EventFilter,
  type EventStore,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
  type SubscriptionHandler,
} from './event-store.port.ts';

// ---------------------------------------------------------------------------------------------------------------
// Pure mappings between the port and EventStoreDB (unit-tested in esdb-event-store.unit.test.ts)
// ---------------------------------------------------------------------------------------------------------------

/** The port's expected revision as the client's: `'no-stream'` → NO_STREAM, `'stream-exists'` → STREAM_EXISTS, … */
export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no-stream':
      return NO_STREAM;
    case 'stream-exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new RangeError(`Invalid expected revision ${String(expected)}: a non-negative integer is required`);
      }
      return BigInt(expected);
  }
}

/** An EventStoreDB position as the port's `position`: the commit position, a safe integer (asserted). */
export function toPortPosition(position: EsdbPosition): number {
  const { commit } = position;
  if (commit < 0n || commit > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`EventStoreDB commit position ${commit} cannot be represented exactly as a number`);
  }
  return Number(commit);
}

/** Checks a checkpoint handed to the adapter: a non-negative safe integer. */
export function assertPortPosition(position: number): void {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`Invalid global position ${String(position)}: a non-negative safe integer is required`);
  }
}

/** Where to start reading `$all` for "events strictly after `after`" (0 reads from the start). */
export function toEsdbReadPosition(after: number): ReadPosition {
  assertPortPosition(after);
  if (after === 0) return START;
  const at = BigInt(after);
  return { commit: at, prepare: at };
}

/** Total order of `$all` positions: by commit position, then prepare position. */
export function comparePositions(a: EsdbPosition, b: EsdbPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** EventStoreDB's own events: `$`-prefixed types (`$>` links, `$metadata`, …) or `$`-prefixed streams. */
export function isSystemEvent(eventType: string, streamName: string): boolean {
  return eventType.startsWith('$') || streamName.startsWith('$');
}

/** The port's filter, applied on the client: exact event types and/or a literal stream-name prefix. */
export function matchesFilter(filter: EventFilter | undefined, eventType: string, streamName: string): boolean {
  if (filter?.eventTypes && !filter.eventTypes.includes(eventType)) return false;
  if (filter?.streamPrefix && !streamName.startsWith(filter.streamPrefix)) return false;
  return true;
}

/** Escapes a literal for a (.NET) regular expression. */
export function escapeRegex(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|]/g, (c) => `\\${c}`);
}

/**
 * The server-side part of the port's filter for a subscription. EventStoreDB filters on ONE of stream name or
 * event type: with both set, the stream prefix is filtered by the server and the types by the client
 * (`matchesFilter` is always applied on the client as well). Without a filter, system events are excluded.
 */
export function toServerFilter(
  filter: EventFilter | undefined,
  checkpointReached?: (position: EsdbPosition) => void,
): Filter {
  const options = checkpointReached ? { checkpointReached: (_s: unknown, p: EsdbPosition) => checkpointReached(p) } : {};
  if (filter?.streamPrefix) return streamNameFilter({ prefixes: [filter.streamPrefix], ...options });
  if (filter?.eventTypes) {
    return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$`, ...options });
  }
  return excludeSystemEvents(options);
}

function isWrongExpectedVersion(
  error: unknown,
): error is { type: ErrorType.WRONG_EXPECTED_VERSION; actualVersion: bigint | typeof NO_STREAM } {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { type?: unknown }).type === ErrorType.WRONG_EXPECTED_VERSION &&
    'actualVersion' in error
  );
}

/** A WrongExpectedVersionError of the client as the port's ConcurrencyError; `undefined` for any other error. */
export function toConcurrencyError(error: unknown, streamName: string, expected: ExpectedRevision): ConcurrencyError | undefined {
  if (!isWrongExpectedVersion(error)) return undefined;
  const actual = error.actualVersion;
  // The batch-append path of some client versions reports a missing stream as revision -1.
  const missing = actual === NO_STREAM || (typeof actual === 'bigint' && actual < 0n);
  const concurrency = new ConcurrencyError(streamName, expected, missing ? 'no-stream' : Number(actual));
  concurrency.cause = error;
  return concurrency;
}

/**
 * When a subscription has caught up, from three signals, each counted in events RECEIVED from the client stream
 * so that the report comes only after the handler has finished every event delivered before the signal:
 * - the server's `caughtUp` message (EventStoreDB ≥ 23.10);
 * - a filter checkpoint at or past the head position read when the subscription started (older servers);
 * - a handled event at or past that head position.
 * Nothing to catch up (`head <= after`) means caught up at once.
 */
export class CatchUpTracker {
  readonly #head: number;
  #received = 0;
  #handled = 0;
  #target: number | undefined;
  #reported = false;

  constructor(after: number, head: number) {
    this.#head = head;
    if (head <= after) this.#target = 0;
  }

  get head(): number {
    return this.#head;
  }

  /** Counts events taken from the client stream (handled or filtered out). */
  received(count = 1): void {
    this.#received += count;
  }

  /** The server says it is caught up; `buffered` events were delivered before the signal but not yet taken. */
  serverCaughtUp(buffered: number): void {
    this.#setTarget(this.#received + buffered);
  }

  /** A filter checkpoint: the server has scanned `$all` up to `position`. */
  checkpoint(position: number, buffered: number): void {
    if (position >= this.#head) this.serverCaughtUp(buffered);
  }

  /** The handler has finished `count` received events, the last of which sits at `lastPosition`. */
  handled(count: number, lastPosition: number | undefined): void {
    this.#handled += count;
    if (lastPosition !== undefined && lastPosition >= this.#head) this.#setTarget(this.#handled);
  }

  /** True exactly once: when every event received before a caught-up signal has been handled. */
  takeReport(): boolean {
    if (this.#reported || this.#target === undefined || this.#handled < this.#target) return false;
    this.#reported = true;
    return true;
  }

  #setTarget(target: number): void {
    this.#target = this.#target === undefined ? target : Math.min(this.#target, target);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The adapter
// ---------------------------------------------------------------------------------------------------------------

export type EsdbRecorded = NonNullable<ResolvedEvent['event']>;

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Events per `$all` page when the adapter has to filter on the client. */
const READ_PAGE_SIZE = 512;

export class EsdbEventStore implements EventStore {
  readonly name = 'eventstoredb';
  readonly #client: EventStoreDBClient;
  readonly #upcasters: UpcasterRegistry;
  readonly #subscriptions = new Set<EsdbSubscription>();

  private constructor(client: EventStoreDBClient, upcasters: UpcasterRegistry) {
    this.#client = client;
    this.#upcasters = upcasters;
  }

  /**
   * Connects with a connection string (`esdb://host:2113?tls=false`, `esdb+discover://…` for a cluster) and
   * reads the head of `$all` once, so that a wrong address or missing rights fail at start-up.
   */
  static async connect(connectionString: string, options: { upcasters?: UpcasterRegistry } = {}): Promise<EsdbEventStore> {
    const client = EventStoreDBClient.connectionString(connectionString);
    const store = new EsdbEventStore(client, options.upcasters ?? new UpcasterRegistry());
    try {
      await store.headPosition();
    } catch (error) {
      await client.dispose();
      throw error;
    }
    return store;
  }

  async appendToStream(
    streamName: string,
    events: readonly EventEnvelope<DomainEvent>[],
    options: { readonly expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    assertValidStreamName(streamName);
    if (events.length === 0) throw new TypeError('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    const expectedRevision = toEsdbExpectedRevision(expected);
    const data = events.map((event) => {
      if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('An event needs a type');
      // EventStoreDB keys events by UUID (and uses it for idempotent appends): metadata.eventId becomes that id.
      if (!UUID_PATTERN.test(event.metadata.eventId)) {
        throw new TypeError(`Event id "${event.metadata.eventId}" is not a UUID, which EventStoreDB requires`);
      }
      return jsonEvent({ id: event.metadata.eventId, type: event.type, data: event.data, metadata: event.metadata });
    });
    try {
      const result = await this.#client.appendToStream(streamName, data, { expectedRevision });
      if (!result.position) throw new Error('EventStoreDB returned no position for the append (server too old?)');
      return { nextExpectedRevision: Number(result.nextExpectedRevision), position: toPortPosition(result.position) };
    } catch (error) {
      throw toConcurrencyError(error, streamName, expected) ?? error;
    }
  }

  /** EventStoreDB has no multi-stream transaction: parts are appended one after the other, stopping at a failure. */
  readonly atomicAppendMany = false;

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    assertValidAppends(appends);
    const results: AppendResult[] = [];
    for (const part of appends) {
      results.push(await this.appendToStream(part.streamName, part.events, part.expectedRevision === undefined ? {} : { expectedRevision: part.expectedRevision }));
    }
    return results;
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const fromRevision = options.fromRevision ?? 0;
    if (!Number.isSafeInteger(fromRevision) || fromRevision < 0) throw new RangeError(`Invalid fromRevision ${fromRevision}`);
    if (options.limit !== undefined && options.limit <= 0) return [];
    const recorded: RecordedEvent[] = [];
    try {
      const read = this.#client.readStream(streamName, {
        direction: FORWARDS,
        fromRevision: BigInt(fromRevision),
        ...(options.limit !== undefined ? { maxCount: options.limit } : {}),
      });
      for await (const resolved of read) {
        if (resolved.event) recorded.push(this.#toRecorded(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError || (error as { type?: unknown })?.type === ErrorType.STREAM_NOT_FOUND) return [];
      throw error;
    }
    return recorded;
  }

  /**
   * Reads `$all` forwards after a position. The client's `readAll` has no server-side filter (v6 sends
   * `no_filter`), so the adapter reads pages and filters on the client until it has `limit` events or the end.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? 0;
    const limit = options.limit ?? 1000;
    const from = toEsdbReadPosition(after);
    const result: RecordedEvent[] = [];
    if (limit <= 0) return result;
    // Reads are inclusive of their start position: `cursor` is the last event already seen, skipped when met again.
    let cursor: EsdbPosition | undefined = from === START ? undefined : (from as EsdbPosition);
    const pageSize = Math.min(Math.max(limit + 1, 64), READ_PAGE_SIZE);
    for (;;) {
      const page: AllStreamResolvedEvent[] = [];
      for await (const resolved of this.#client.readAll({
        direction: FORWARDS,
        fromPosition: cursor ?? START,
        maxCount: pageSize,
      })) {
        page.push(resolved);
      }
      for (const { event } of page) {
        if (!event) continue;
        if (cursor && comparePositions(event.position, cursor) <= 0) continue;
        cursor = event.position;
        if (isSystemEvent(event.type, event.streamId) || !matchesFilter(options.filter, event.type, event.streamId)) continue;
        result.push(this.#toRecorded(event));
        if (result.length >= limit) return result;
      }
      if (page.length < pageSize) return result;
    }
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    const subscription = new EsdbSubscription(
      {
        subscribe: (fromPosition, filter) => this.#client.subscribeToAll({ fromPosition, filter }),
        head: () => this.headPosition(),
        toRecorded: (event) => this.#toRecorded(event),
      },
      options,
      handler,
    );
    this.#subscriptions.add(subscription);
    void subscription.done.then(
      () => this.#subscriptions.delete(subscription),
      () => this.#subscriptions.delete(subscription),
    );
    return subscription;
  }

  /** Commit position of the last non-system event of `$all` (0 when there is none). */
  async headPosition(): Promise<number> {
    let from: ReadPosition = END;
    for (;;) {
      let count = 0;
      let last: EsdbPosition | undefined;
      for await (const { event } of this.#client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: 64 })) {
        count++;
        if (!event) continue;
        if (!isSystemEvent(event.type, event.streamId)) return toPortPosition(event.position);
        last = event.position;
      }
      // Backward reads are exclusive of their start position: go on below the last (system) event seen.
      if (count < 64 || !last) return 0;
      from = last;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#subscriptions].map((s) => s.stop()));
    await this.#client.dispose();
  }

  #toRecorded(event: EsdbRecorded): RecordedEvent {
    if (!event.isJson || typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
      throw new TypeError(`Event ${event.id} in ${event.streamId} is not a JSON object: not written by this adapter`);
    }
    const metadata = event.metadata;
    if (typeof metadata !== 'object' || metadata === null || metadata instanceof Uint8Array || Array.isArray(metadata)) {
      throw new TypeError(`Event ${event.id} in ${event.streamId} has no JSON metadata: not written by this adapter`);
    }
    if (!event.position) throw new Error('EventStoreDB returned an event without position: version 22.10 or later is required');
    return this.#upcasters.upcast({
      type: event.type,
      data: event.data as Record<string, unknown>,
      metadata: metadata as unknown as EventMetadata,
      streamName: event.streamId,
      streamRevision: Number(event.revision),
      position: toPortPosition(event.position),
    });
  }
}

/** What a subscription needs from the store (a seam for the unit tests, which feed it a fake stream). */
export interface SubscriptionSource {
  subscribe(fromPosition: ReadPosition, filter: Filter): AllStreamSubscription;
  head(): Promise<number>;
  toRecorded(event: EsdbRecorded): RecordedEvent;
}

/**
 * A catch-up subscription on the server's `subscribeToAll` (server-side filter, exclusive start position).
 * Events already buffered by the client are handed to the handler in batches of up to `batchSize`; the handler
 * finishes a batch before the next one starts. A handler or server error stops it and goes to `onError`.
 */
export class EsdbSubscription implements Subscription {
  #position: number;
  #stopping = false;
  #stream: AllStreamSubscription | undefined;
  readonly done: Promise<void>;

  constructor(source: SubscriptionSource, options: SubscribeOptions, handler: SubscriptionHandler) {
    this.#position = options.after ?? 0;
    this.done = this.#run(source, options, handler);
  }

  get position(): number {
    return this.#position;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#release().catch(() => {}); // a failed cancellation still ends the stream (see #release)
    await this.done;
  }

  /** Cancels the gRPC call and ends the stream, which wakes a pending read; an in-flight batch finishes. */
  async #release(): Promise<void> {
    const stream = this.#stream;
    if (!stream || stream.destroyed) return;
    try {
      await stream.unsubscribe();
    } finally {
      stream.destroy();
    }
  }

  async #run(source: SubscriptionSource, options: SubscribeOptions, handler: SubscriptionHandler): Promise<void> {
    const batchSize = options.batchSize ?? 1000;
    try {
      const after = options.after ?? 0;
      const from = toEsdbReadPosition(after);
      const tracker = new CatchUpTracker(after, await source.head());
      if (this.#stopping) return;
      const report = () => {
        if (tracker.takeReport()) options.onCaughtUp?.(Math.max(this.#position, tracker.head));
      };
      const stream = source.subscribe(
        from,
        toServerFilter(options.filter, (position) => {
          tracker.checkpoint(toPortPosition(position), stream.readableLength);
          report();
        }),
      );
      this.#stream = stream;
      // `caughtUp` and checkpoints arrive in order with the events: those delivered before them are buffered.
      stream.on('caughtUp', () => {
        tracker.serverCaughtUp(stream.readableLength);
        report();
      });
      report();
      const iterator = stream[Symbol.asyncIterator]();
      const next = async (): Promise<AllStreamResolvedEvent | undefined> => {
        try {
          const result = await iterator.next();
          if (result.done) return undefined;
          tracker.received();
          return result.value;
        } catch (error) {
          if (this.#stopping) return undefined; // the stream was ended on purpose by stop()
          throw error;
        }
      };
      let lastSeen: EsdbPosition | undefined = from === START ? undefined : (from as EsdbPosition);
      while (!this.#stopping) {
        const first = await next();
        if (!first) {
          if (this.#stopping) break;
          throw new Error('EventStoreDB ended the subscription to $all');
        }
        const batch: AllStreamResolvedEvent[] = [first];
        while (batch.length < batchSize && stream.readableLength > 0 && !this.#stopping) {
          const more = await next();
          if (!more) break;
          batch.push(more);
        }
        const events: RecordedEvent[] = [];
        let lastPosition: number | undefined;
        for (const { event } of batch) {
          if (!event) continue;
          // The server starts strictly after `from`; the check also guards against a redelivery.
          if (lastSeen && comparePositions(event.position, lastSeen) <= 0) continue;
          lastSeen = event.position;
          lastPosition = toPortPosition(event.position);
          if (isSystemEvent(event.type, event.streamId) || !matchesFilter(options.filter, event.type, event.streamId)) continue;
          events.push(source.toRecorded(event));
        }
        if (events.length > 0) {
          await handler(events);
          this.#position = events[events.length - 1]!.position;
        }
        tracker.handled(batch.length, lastPosition);
        report();
      }
    } catch (error) {
      if (options.onError) options.onError(error);
      else throw error;
    } finally {
      await this.#release().catch(() => {});
    }
  }
}
