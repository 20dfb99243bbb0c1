import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SqlDatabase, SqlExecutor } from './sql-database.ts';

/** A table never analysed is analysed from this size on (the planner reads the size of smaller ones anyway). */
const MAINTENANCE_MIN_PAGES = 8;

const toNumber = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

/**
 * A `SqlDatabase` over PGlite, PostgreSQL compiled to WebAssembly and run in this process: the embedded default.
 * `dataDir` undefined keeps everything in memory (tests); otherwise the database lives in that folder.
 */
export class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite' as const;
  readonly db: PGlite;
  #maintenance: { timer: NodeJS.Timeout; running: Promise<unknown> } | null = null;

  private constructor(db: PGlite) {
    this.db = db;
  }

  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const db = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      extensions: { cube, earthdistance, pg_trgm },
      parsers: { 20: (value: string) => Number(value) },
    });
    return new PgliteDatabase(db);
  }

  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
    const result = await this.db.query<R>(sql, params as unknown[] | undefined);
    return { rows: result.rows.map((row) => normalise(row)) };
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({
        query: async <R>(sql: string, params?: readonly unknown[]) => ({
          rows: (await tx.query<R>(sql, params as unknown[] | undefined)).rows.map((row) => normalise(row)),
        }),
      }),
    );
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onNotify);
  }

  /**
   * What autovacuum does on a PostgreSQL server, which PGlite (one process, no background workers) never does. With
   * autovacuum's default thresholds, from the table activity statistics (flushed first: PGlite reports them only
   * when asked): `VACUUM` a table whose dead rows exceed 20 % of its rows (updated read models) or whose inserts
   * since the last vacuum do (the log: sets its pages all-visible), `ANALYZE` one modified by more than 10 % since
   * it was last analysed — or never analysed (statistics are not kept across restarts: a table filled by an
   * earlier process is analysed on the first pass). Without it the planner knew nothing of the tables: a
   * projection catching up on a large log sorted every remaining matching event on each poll (the national log
   * never caught up), and updated tables grew without end. Answers the tables maintained.
   */
  async maintain(): Promise<string[]> {
    await this.query('SELECT pg_stat_force_next_flush()');
    const { rows } = await this.query<{ relname: string; reltuples: number; pages: number; dead: number; inserted: number; modified: number }>(
      `SELECT s.relname, c.reltuples::float8 AS reltuples, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages,
              s.n_dead_tup AS dead, s.n_ins_since_vacuum AS inserted, s.n_mod_since_analyze AS modified
         FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
        WHERE s.schemaname = current_schema()`,
    );
    const maintained: string[] = [];
    for (const t of rows) {
      const tuples = Math.max(0, t.reltuples);
      const vacuum = t.dead > 50 + 0.2 * tuples || t.inserted > 1000 + 0.2 * tuples;
      const analyse = t.modified > 50 + 0.1 * tuples || (t.reltuples < 0 && t.pages >= MAINTENANCE_MIN_PAGES);
      if (!vacuum && !analyse) continue;
      const table = `"${t.relname.replaceAll('"', '""')}"`;
      try {
        await this.db.exec(vacuum ? `VACUUM ${analyse ? '(ANALYZE) ' : ''}${table}` : `ANALYZE ${table}`);
        maintained.push(t.relname);
      } catch (error) {
        // A table dropped meanwhile (a projection's rebuild tables swapped in) needs nothing more.
        if ((error as { code?: string }).code !== '42P01') throw error;
      }
    }
    return maintained;
  }

  /**
   * Runs `maintain()` every `intervalMs` until `close()` (a pass still under way when the next is due is not doubled);
   * a failed pass is reported and the next one still runs.
   */
  startMaintenance(intervalMs: number, onPass: (tables: string[], error?: unknown) => void = () => undefined): void {
    if (this.#maintenance) return;
    let busy = false;
    const tick = () => {
      if (busy || this.db.closed || !this.#maintenance) return;
      busy = true;
      this.#maintenance.running = this.maintain()
        .then(
          (tables) => onPass(tables),
          (error: unknown) => onPass([], error),
        )
        .finally(() => (busy = false));
    };
    this.#maintenance = { timer: setInterval(tick, intervalMs), running: Promise.resolve() };
    this.#maintenance.timer.unref();
  }

  async close(): Promise<void> {
    const maintenance = this.#maintenance;
    this.#maintenance = null;
    if (maintenance) {
      clearInterval(maintenance.timer);
      await maintenance.running;
    }
    if (!this.db.closed) await this.db.close();
  }
}

function normalise<R>(row: R): R {
  if (row === null || typeof row !== 'object') return row;
  for (const key of Object.keys(row)) {
    const value = (row as Record<string, unknown>)[key];
    if (typeof value === 'bigint') (row as Record<string, unknown>)[key] = toNumber(value);
  }
  return row;
}
