import type { EventStore, Subscription } from '../event-store/event-store.port.ts';
import type { RecordedEvent } from '../events/envelope.ts';
import { SqlEventStore } from '../event-store/sql-event-store.ts';
import type { SqlDatabase, SqlExecutor } from '../sql/sql-database.ts';
import type { ExternalProjection, Projection, SqlProjection, TableNames } from './projection.ts';

export const CHECKPOINT_SCHEMA = `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name       text PRIMARY KEY,
  position   bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now(),
  rebuilt_at timestamptz,
  version    integer NOT NULL DEFAULT 1
);`;
/** Checkpoint tables of databases created before projections had versions (run once per start, not per status). */
const CHECKPOINT_UPGRADE = 'ALTER TABLE projection_checkpoints ADD COLUMN IF NOT EXISTS version integer NOT NULL DEFAULT 1';

const REBUILD_SUFFIX = '__rebuild';
/** Lets the event loop turn between rebuild batches: on PGlite a rebuild would starve timers and HTTP otherwise. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,40}$/;

export interface ProjectionStatus {
  readonly name: string;
  readonly position: number;
  readonly head: number;
  /** Events committed to the store and not yet applied to the projection (an upper bound under a filter). */
  readonly lag: number;
  readonly running: boolean;
  readonly failure: string | null;
  readonly rebuiltAt: string | null;
}

export interface RebuildProgress {
  readonly name: string;
  readonly position: number;
  readonly head: number;
  readonly applied: number;
}

/** Raised when a checkpoint moved under a runner's feet (another process applied the same events). */
class CheckpointMoved extends Error {}

interface Running {
  subscription: Subscription;
  failure: string | null;
}

/**
 * Keeps projections up to date: one catch-up subscription per projection from its stored checkpoint.
 * - SQL projections: events and checkpoint in one transaction, guarded by the checkpoint read at the start of the
 *   transaction (row-locked), so two runners never apply the same event twice and a crash loses nothing.
 * - External projections: apply, then store the checkpoint (at least once; the target is idempotent).
 * - `rebuild(name)`: replays the whole history into fresh tables and swaps them in atomically.
 */
export class ProjectionRunner {
  readonly #store: EventStore;
  readonly #db: SqlDatabase;
  readonly #projections = new Map<string, Projection>();
  readonly #running = new Map<string, Running>();
  readonly #onError: (name: string, error: unknown) => void;
  readonly #batchSize: number;
  #started = false;

  constructor(
    store: EventStore,
    db: SqlDatabase,
    options: { onError?: (name: string, error: unknown) => void; batchSize?: number } = {},
  ) {
    this.#store = store;
    this.#db = db;
    this.#onError = options.onError ?? (() => undefined);
    this.#batchSize = options.batchSize ?? 500;
  }

  register(projection: Projection): this {
    if (!IDENTIFIER.test(projection.name)) throw new TypeError(`Invalid projection name ${projection.name}`);
    if (projection.kind === 'sql') {
      for (const table of projection.tables) {
        if (!IDENTIFIER.test(table)) throw new TypeError(`Invalid table name ${table} in projection ${projection.name}`);
      }
    }
    if (this.#projections.has(projection.name)) throw new Error(`Projection ${projection.name} is registered twice`);
    this.#projections.set(projection.name, projection);
    return this;
  }

  get names(): string[] {
    return [...this.#projections.keys()];
  }

  /** Creates the checkpoint table and every projection's tables, without starting them. */
  async prepare(): Promise<void> {
    await this.#db.exec(CHECKPOINT_SCHEMA);
    await this.#db.exec(CHECKPOINT_UPGRADE);
    for (const projection of this.#projections.values()) await this.#ensureCreated(projection);
  }

  async start(): Promise<void> {
    await this.prepare();
    this.#started = true;
    for (const projection of this.#projections.values()) {
      await this.#upgrade(projection);
      await this.#startOne(projection);
    }
  }

  /** A SQL projection whose tables were built by another version of it is rebuilt before it starts. */
  async #upgrade(projection: Projection): Promise<void> {
    if (projection.kind !== 'sql') return;
    const version = projection.version ?? 1;
    const { rows } = await this.#db.query<{ version: number }>('SELECT version FROM projection_checkpoints WHERE name = $1', [projection.name]);
    if (rows.length === 0 || Number(rows[0]!.version) === version) return;
    await this.rebuild(projection.name);
    await this.#db.query('UPDATE projection_checkpoints SET version = $2 WHERE name = $1', [projection.name, version]);
  }

  async stop(): Promise<void> {
    this.#started = false;
    const running = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(running.map((r) => r.subscription.stop()));
  }

  async status(): Promise<ProjectionStatus[]> {
    await this.#db.exec(CHECKPOINT_SCHEMA);
    const head = await this.#store.headPosition();
    const { rows } = await this.#db.query<{ name: string; position: number; rebuilt_at: Date | string | null }>(
      'SELECT name, position, rebuilt_at FROM projection_checkpoints',
    );
    const byName = new Map(rows.map((row) => [row.name, row]));
    return this.names.map((name) => {
      const row = byName.get(name);
      const position = Number(row?.position ?? 0);
      const running = this.#running.get(name);
      return {
        name,
        position,
        head,
        // A filtered projection has read past its last matching event: events it skips are not lag.
        lag: Math.max(0, head - Math.max(position, running?.subscription?.scannedTo ?? 0)),
        running: running !== undefined && running.failure === null,
        failure: running?.failure ?? null,
        rebuiltAt: row?.rebuilt_at ? new Date(row.rebuilt_at).toISOString() : null,
      };
    });
  }

  /**
   * Rebuilds one projection from position 0 into fresh tables (or a fresh external target) while the live one keeps
   * serving, then swaps them in one transaction. The live subscription of this runner pauses during the swap only.
   */
  async rebuild(name: string, onProgress: (progress: RebuildProgress) => void = () => undefined): Promise<RebuildProgress> {
    const projection = this.#projections.get(name);
    if (!projection) throw new Error(`Unknown projection "${name}". Known: ${this.names.join(', ') || 'none'}`);
    await this.#db.exec(CHECKPOINT_SCHEMA);
    const wasRunning = this.#running.has(name);
    let applied = 0;
    let position = 0;
    let head = await this.#store.headPosition();
    const report = () => onProgress({ name, position, head, applied });

    if (projection.kind === 'external') {
      await projection.prepareRebuild?.();
      for (;;) {
        const events = await this.#read(projection, position);
        if (events.length === 0) break;
        await projection.apply(events, 'rebuild');
        position = events[events.length - 1]!.position;
        applied += events.length;
        report();
        await yieldToEventLoop();
      }
      if (wasRunning) await this.#stopOne(name);
      // Events appended meanwhile go to the fresh target before it goes live.
      for (;;) {
        const events = await this.#read(projection, position);
        if (events.length === 0) break;
        await projection.apply(events, 'rebuild');
        position = events[events.length - 1]!.position;
        applied += events.length;
      }
      await projection.swap?.();
      await this.#saveCheckpoint(this.#db, name, position, true);
    } else {
      const fresh = tableNames(projection, REBUILD_SUFFIX);
      await this.#db.transaction(async (tx) => {
        for (const table of Object.values<string>(fresh)) await tx.query(`DROP TABLE IF EXISTS ${table}`);
        await projection.createTables(tx, fresh);
      });
      for (;;) {
        head = await this.#store.headPosition();
        const events = await this.#read(projection, position);
        if (events.length === 0) break;
        await this.#db.transaction((tx) => projection.apply(tx, events, fresh));
        position = events[events.length - 1]!.position;
        applied += events.length;
        report();
        await yieldToEventLoop();
      }
      if (wasRunning) await this.#stopOne(name);
      await this.#db.transaction(async (tx) => {
        // The checkpoint row lock makes any other runner's apply transaction wait, then fail its position guard.
        await this.#lockCheckpoint(tx, name);
        for (;;) {
          const events = await this.#read(projection, position, tx);
          if (events.length === 0) break;
          await projection.apply(tx, events, fresh);
          position = events[events.length - 1]!.position;
          applied += events.length;
        }
        const live = tableNames(projection, '');
        for (const table of projection.tables) {
          await tx.query(`DROP TABLE IF EXISTS ${live[table]}`);
          await tx.query(`ALTER TABLE ${fresh[table]} RENAME TO ${live[table]}`);
        }
        await this.#saveCheckpoint(tx, name, position, true);
      });
    }
    head = Math.max(head, position);
    report();
    if (wasRunning && this.#started) await this.#startOne(projection);
    return { name, position, head, applied };
  }

  async #ensureCreated(projection: Projection): Promise<void> {
    await this.#db.transaction(async (tx) => {
      const { rows } = await tx.query(
        `INSERT INTO projection_checkpoints (name, position, version) VALUES ($1, 0, $2) ON CONFLICT (name) DO NOTHING RETURNING name`,
        [projection.name, projection.kind === 'sql' ? (projection.version ?? 1) : 1],
      );
      if (rows.length === 1 && projection.kind === 'sql') await projection.createTables(tx, tableNames(projection, ''));
    });
  }

  async #startOne(projection: Projection): Promise<void> {
    await this.#ensureCreated(projection);
    const after = await this.#checkpoint(this.#db, projection.name);
    const live = projection.kind === 'sql' ? tableNames(projection, '') : undefined;
    const entry: Running = { subscription: undefined as unknown as Subscription, failure: null };
    entry.subscription = this.#store.subscribeToAll(
      {
        after,
        batchSize: this.#batchSizeOf(projection),
        ...(projection.filter ? { filter: projection.filter } : {}),
        onError: (error) => {
          if (error instanceof CheckpointMoved) {
            // Somebody else (another process, or a rebuild) moved the checkpoint: resume from the stored one.
            if (this.#started && this.#running.get(projection.name) === entry) {
              this.#running.delete(projection.name);
              void this.#startOne(projection).catch((e: unknown) => this.#fail(projection.name, entry, e));
            }
            return;
          }
          this.#fail(projection.name, entry, error);
        },
      },
      async (events) => {
        if (projection.kind === 'sql') await this.#applySql(projection, events, live!);
        else await this.#applyExternal(projection, events);
      },
    );
    this.#running.set(projection.name, entry);
  }

  #fail(name: string, entry: Running, error: unknown): void {
    entry.failure = error instanceof Error ? error.message : String(error);
    this.#onError(name, error);
  }

  #batchSizeOf(projection: Projection): number {
    return projection.kind === 'sql' ? (projection.batchSize ?? this.#batchSize) : this.#batchSize;
  }

  async #stopOne(name: string): Promise<void> {
    const running = this.#running.get(name);
    this.#running.delete(name);
    await running?.subscription.stop();
  }

  async #applySql(projection: SqlProjection, events: readonly RecordedEvent[], tables: TableNames<string>): Promise<void> {
    const first = events[0]!;
    const last = events[events.length - 1]!;
    await this.#db.transaction(async (tx) => {
      const stored = await this.#lockCheckpoint(tx, projection.name);
      if (stored >= last.position) throw new CheckpointMoved();
      // Events at or below the stored checkpoint were applied by someone else: skip them, apply the rest.
      const pending = stored >= first.position ? events.filter((e) => e.position > stored) : events;
      await projection.apply(tx, pending, tables);
      await this.#saveCheckpoint(tx, projection.name, last.position, false);
    });
  }

  async #applyExternal(projection: ExternalProjection, events: readonly RecordedEvent[]): Promise<void> {
    await projection.apply(events, 'live');
    await this.#saveCheckpoint(this.#db, projection.name, events[events.length - 1]!.position, false);
  }

  /** Reads the next events; inside a transaction on the store's own database, through that transaction. */
  async #read(projection: Projection, after: number, tx?: SqlExecutor): Promise<RecordedEvent[]> {
    const options = { after, limit: this.#batchSizeOf(projection), ...(projection.filter ? { filter: projection.filter } : {}) };
    if (tx && this.#store instanceof SqlEventStore && this.#store.database === this.#db) return this.#store.readAllVia(tx, options);
    return this.#store.readAll(options);
  }

  async #lockCheckpoint(tx: SqlExecutor, name: string): Promise<number> {
    const { rows } = await tx.query<{ position: number }>(
      'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
      [name],
    );
    return Number(rows[0]?.position ?? 0);
  }

  async #checkpoint(db: SqlExecutor, name: string): Promise<number> {
    const { rows } = await db.query<{ position: number }>('SELECT position FROM projection_checkpoints WHERE name = $1', [name]);
    return Number(rows[0]?.position ?? 0);
  }

  async #saveCheckpoint(db: SqlExecutor, name: string, position: number, rebuilt: boolean): Promise<void> {
    await db.query(
      `INSERT INTO projection_checkpoints (name, position, updated_at, rebuilt_at) VALUES ($1, $2, now(), CASE WHEN $3 THEN now() END)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now(),
         rebuilt_at = CASE WHEN $3 THEN now() ELSE projection_checkpoints.rebuilt_at END`,
      [name, position, rebuilt],
    );
  }
}

function tableNames(projection: SqlProjection, suffix: string): TableNames<string> {
  return Object.fromEntries(projection.tables.map((table) => [table, `${table}${suffix}`]));
}
