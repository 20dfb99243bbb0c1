import type { DomainEvent, EventEnvelope, EventMetadata, RecordedEvent } from '../events/envelope.ts';
import { UpcasterRegistry } from '../events/upcasters.ts';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.ts';
import {
  assertValidAppends,
  assertValidStreamName,
  checkExpectedRevision,
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
import { PollingSubscription } from './polling-subscription.ts';

/** Key of the transaction-scoped advisory lock that serialises appends (see docs/adr/0002). */
const APPEND_LOCK_KEY = 5_172_024;
const NOTIFY_CHANNEL = 'sas_events';

export const EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS es_events (
  global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  stream_name     text COLLATE "C" NOT NULL,
  stream_revision bigint NOT NULL,
  event_type      text NOT NULL,
  data            jsonb NOT NULL,
  metadata        jsonb NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT es_events_stream_revision UNIQUE (stream_name, stream_revision)
);
CREATE INDEX IF NOT EXISTS es_events_type_position ON es_events (event_type, global_position);
CREATE TABLE IF NOT EXISTS es_streams (
  stream_name text COLLATE "C" PRIMARY KEY,
  revision    bigint NOT NULL
);
`;

interface EventRow {
  global_position: number;
  stream_name: string;
  stream_revision: number;
  event_type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

/**
 * The event store over PostgreSQL, real (`pg`) or embedded (PGlite): one SQL implementation for both.
 *
 * Gap safety: every append takes one transaction-scoped advisory lock before it draws global positions, and
 * PostgreSQL makes a commit visible before it releases the transaction's locks. Positions are therefore
 * committed in increasing order, and a reader that has seen position N will never later find a smaller one.
 */
export class SqlEventStore implements EventStore {
  readonly name: string;
  readonly #db: SqlDatabase;
  readonly #upcasters: UpcasterRegistry;
  readonly #listeners = new Set<() => void>();
  readonly #subscriptions = new Set<PollingSubscription>();
  #unlisten: (() => Promise<void>) | undefined;
  readonly #pollIntervalMs: number;

  private constructor(db: SqlDatabase, upcasters: UpcasterRegistry, pollIntervalMs: number) {
    this.#db = db;
    this.name = db.kind === 'pglite' ? 'pglite' : 'postgres';
    this.#upcasters = upcasters;
    this.#pollIntervalMs = pollIntervalMs;
  }

  /** Creates the schema if needed and listens for appends made by other processes. */
  static async open(
    db: SqlDatabase,
    options: { upcasters?: UpcasterRegistry; pollIntervalMs?: number } = {},
  ): Promise<SqlEventStore> {
    await db.exec(EVENT_STORE_SCHEMA);
    const store = new SqlEventStore(db, options.upcasters ?? new UpcasterRegistry(), options.pollIntervalMs ?? 1000);
    store.#unlisten = await db.listen(NOTIFY_CHANNEL, () => store.#wake());
    return store;
  }

  get database(): SqlDatabase {
    return this.#db;
  }

  async appendToStream(
    streamName: string,
    events: readonly EventEnvelope<DomainEvent>[],
    options: { readonly expectedRevision?: ExpectedRevision } = {},
  ): Promise<AppendResult> {
    assertValidStreamName(streamName);
    if (events.length === 0) throw new TypeError('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    const types: string[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    for (const event of events) {
      if (typeof event.type !== 'string' || event.type.length === 0) throw new TypeError('An event needs a type');
      types.push(event.type);
      data.push(JSON.stringify(event.data));
      metadata.push(JSON.stringify(event.metadata));
    }
    try {
      const result = await this.#db.transaction(async (tx) => {
        // Two statements on purpose: under READ COMMITTED the revision must be read by a statement whose
        // snapshot is taken after the lock is held.
        await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPEND_LOCK_KEY]);
        const { rows } = await tx.query<{ revision: number }>(
          'SELECT revision FROM es_streams WHERE stream_name = $1',
          [streamName],
        );
        const current = rows[0]?.revision ?? -1;
        checkExpectedRevision(streamName, expected, current);
        const inserted = await tx.query<{ position: number; revision: number }>(
          `WITH ins AS (
             INSERT INTO es_events (stream_name, stream_revision, event_type, data, metadata)
             SELECT $1, $2::bigint + t.ord, t.type, t.data::jsonb, t.meta::jsonb
               FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(type, data, meta, ord)
             RETURNING global_position, stream_revision
           ), stream AS (
             INSERT INTO es_streams (stream_name, revision)
             SELECT $1, max(stream_revision) FROM ins
             ON CONFLICT (stream_name) DO UPDATE SET revision = excluded.revision
           )
           SELECT max(global_position) AS position, max(stream_revision) AS revision,
                  pg_notify('${NOTIFY_CHANNEL}', max(global_position)::text) AS notified
             FROM ins`,
          [streamName, current, types, data, metadata],
        );
        const row = inserted.rows[0];
        if (!row) throw new Error('append returned no row');
        return { nextExpectedRevision: Number(row.revision), position: Number(row.position) };
      });
      this.#wake();
      return result;
    } catch (error) {
      // Two first appends to one new stream can both pass the check before either commits: the unique key decides.
      if (isUniqueViolation(error)) throw new ConcurrencyError(streamName, expected, 'no-stream');
      throw error;
    }
  }

  readonly atomicAppendMany = true;

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    if (appends.length === 0) return [];
    assertValidAppends(appends);
    const streams: string[] = [];
    const revisionsBase: number[] = [];
    const types: string[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    const owner: number[] = [];
    for (const [i, part] of appends.entries()) {
      for (const event of part.events) {
        owner.push(i);
        types.push(event.type);
        data.push(JSON.stringify(event.data));
        metadata.push(JSON.stringify(event.metadata));
      }
    }
    const names = appends.map((a) => a.streamName);
    try {
      const results = await this.#db.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [APPEND_LOCK_KEY]);
        const { rows } = await tx.query<{ stream_name: string; revision: number }>(
          'SELECT stream_name, revision FROM es_streams WHERE stream_name = ANY($1::text[])',
          [names],
        );
        const current = new Map(rows.map((r) => [r.stream_name, Number(r.revision)]));
        for (const part of appends) {
          checkExpectedRevision(part.streamName, part.expectedRevision ?? 'any', current.get(part.streamName) ?? -1);
        }
        // Revision of each event: the stream's current revision + its rank within the part.
        const rank = new Map<number, number>();
        for (const i of owner) {
          const next = (rank.get(i) ?? 0) + 1;
          rank.set(i, next);
          streams.push(appends[i]!.streamName);
          revisionsBase.push((current.get(appends[i]!.streamName) ?? -1) + next);
        }
        const inserted = await tx.query<{ stream_name: string; position: number; revision: number }>(
          `WITH ins AS (
             INSERT INTO es_events (stream_name, stream_revision, event_type, data, metadata)
             SELECT t.stream, t.revision, t.type, t.data::jsonb, t.meta::jsonb
               FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(stream, revision, type, data, meta, ord)
              ORDER BY t.ord
             RETURNING stream_name, global_position, stream_revision
           ), last AS (
             SELECT stream_name, max(stream_revision) AS revision, max(global_position) AS position FROM ins GROUP BY stream_name
           ), upsert AS (
             INSERT INTO es_streams (stream_name, revision)
             SELECT stream_name, revision FROM last
             ON CONFLICT (stream_name) DO UPDATE SET revision = excluded.revision
           )
           SELECT stream_name, revision, position FROM last`,
          [streams, revisionsBase, types, data, metadata],
        );
        const head = Math.max(...inserted.rows.map((r) => Number(r.position)));
        await tx.query(`SELECT pg_notify('${NOTIFY_CHANNEL}', $1)`, [String(head)]);
        const byStream = new Map(inserted.rows.map((r) => [r.stream_name, r]));
        return appends.map((part) => {
          const row = byStream.get(part.streamName)!;
          return { nextExpectedRevision: Number(row.revision), position: Number(row.position) };
        });
      });
      this.#wake();
      return results;
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConcurrencyError(names.join(','), 'no-stream', 'no-stream');
      throw error;
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.#db.query<EventRow>(
      `SELECT global_position, stream_name, stream_revision, event_type, data, metadata
         FROM es_events WHERE stream_name = $1 AND stream_revision >= $2
        ORDER BY stream_revision LIMIT $3`,
      [streamName, options.fromRevision ?? 0, options.limit ?? 1_000_000_000],
    );
    return rows.map((row) => this.#toRecorded(row));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readAllVia(this.#db, options);
  }

  /**
   * `readAll` through a given executor: inside a transaction on the store's own database. PGlite runs one
   * statement at a time, so a read outside an open transaction would wait for it forever.
   */
  async readAllVia(executor: SqlExecutor, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const params: unknown[] = [options.after ?? 0, options.limit ?? 1000];
    const where = filterClause(options.filter, params);
    const { rows } = await executor.query<EventRow>(
      `SELECT global_position, stream_name, stream_revision, event_type, data, metadata
         FROM es_events WHERE global_position > $1 ${where}
        ORDER BY global_position LIMIT $2`,
      params,
    );
    return rows.map((row) => this.#toRecorded(row));
  }

  subscribeToAll(options: SubscribeOptions, handler: SubscriptionHandler): Subscription {
    const subscription = new PollingSubscription(
      {
        read: (after, limit) => this.readAll({ after, limit, ...(options.filter ? { filter: options.filter } : {}) }),
        head: () => this.headPosition(),
        onAppend: (listener) => {
          this.#listeners.add(listener);
          return () => this.#listeners.delete(listener);
        },
        pollIntervalMs: this.#pollIntervalMs,
      },
      options,
      handler,
    );
    this.#subscriptions.add(subscription);
    void subscription.done.finally(() => this.#subscriptions.delete(subscription));
    return subscription;
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.#db.query<{ head: number | null }>('SELECT max(global_position) AS head FROM es_events');
    return Number(rows[0]?.head ?? 0);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.stop()));
    await this.#unlisten?.();
  }

  #wake(): void {
    for (const listener of this.#listeners) listener();
  }

  #toRecorded(row: EventRow): RecordedEvent {
    return this.#upcasters.upcast({
      type: row.event_type,
      data: row.data,
      metadata: row.metadata,
      streamName: row.stream_name,
      streamRevision: Number(row.stream_revision),
      position: Number(row.global_position),
    });
  }
}

function filterClause(filter: EventFilter | undefined, params: unknown[]): string {
  let clause = '';
  if (filter?.eventTypes) {
    params.push(filter.eventTypes);
    clause += ` AND event_type = ANY($${params.length}::text[])`;
  }
  if (filter?.streamPrefix) {
    params.push(`${filter.streamPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    clause += ` AND stream_name LIKE $${params.length}`;
  }
  return clause;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}
