import type { RecordedEvent } from '../events/envelope.ts';
import type { EventFilter } from '../event-store/event-store.port.ts';
import type { SqlExecutor } from '../sql/sql-database.ts';

/** Physical names of a projection's tables: the live names, or the `__rebuild` names during a rebuild. */
export type TableNames<T extends string> = Readonly<Record<T, string>>;

/**
 * A projection into SQL tables. The runner writes its checkpoint in the same transaction as `apply`, so after a
 * crash an event is applied exactly once. Its SQL must use the names from `tables`, never literal table names,
 * so that a rebuild can build fresh tables beside the live ones and swap them in. Indexes are created without
 * explicit names (PostgreSQL names them after the table) so the fresh and live tables never clash.
 */
export interface SqlProjection<T extends string = string> {
  readonly kind: 'sql';
  readonly name: string;
  /** Logical table names this projection owns. */
  readonly tables: readonly T[];
  readonly filter?: EventFilter;
  /**
   * Version of the tables' shape and of what `apply` writes (default 1). Raise it when either changes: on its
   * next start the runner rebuilds the projection from position 0 into fresh tables and swaps them in, so an
   * existing database is upgraded and nothing is lost (the events are the truth).
   */
  readonly version?: number;
  /** Events per `apply` (one transaction) when catching up; default the runner's. */
  readonly batchSize?: number;
  createTables(tx: SqlExecutor, tables: TableNames<T>): Promise<void>;
  apply(tx: SqlExecutor, events: readonly RecordedEvent[], tables: TableNames<T>): Promise<void>;
}

/**
 * A projection into a target outside the SQL database (a search engine). Delivery is at least once: the target
 * must be idempotent, e.g. keep the position of the last event applied to each document and ignore older ones.
 */
export interface ExternalProjection {
  readonly kind: 'external';
  readonly name: string;
  readonly filter?: EventFilter;
  /** Starts a fresh target (e.g. a new index) for a rebuild; `swap` makes it live. */
  prepareRebuild?(): Promise<void>;
  apply(events: readonly RecordedEvent[], target: 'live' | 'rebuild'): Promise<void>;
  swap?(): Promise<void>;
}

export type Projection = SqlProjection | ExternalProjection;
