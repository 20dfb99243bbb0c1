import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SqlDatabase, SqlExecutor } from './sql-database.ts';

/** Tables smaller than this are left alone (the planner reads their size anyway); growth that calls for ANALYZE. */
const MAINTENANCE_MIN_PAGES = 8;
const MAINTENANCE_GROWTH = 1.1;

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
   * What autovacuum does on a PostgreSQL server, which PGlite (one process, no background workers, no statistics
   * of table activity) never does. For every table of the schema: `VACUUM` (dead rows of updated read models are
   * reclaimed; pages already all-visible are skipped, so an unchanged or append-only table costs next to nothing),
   * and `ANALYZE` as well when it has grown by a tenth since it was last analysed or never was. Without it the
   * planner knew nothing of the tables: a projection catching up on a large log sorted every remaining matching
   * event on each poll (the national log never caught up), and updated tables grew without end.
   * Answers the tables analysed.
   */
  async maintain(): Promise<string[]> {
    const { rows } = await this.query<{ relname: string; relpages: number; pages: number }>(
      `SELECT c.relname, c.relpages, (pg_relation_size(c.oid) / current_setting('block_size')::int)::int AS pages
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname = current_schema()`,
    );
    const analysed: string[] = [];
    for (const { relname, relpages, pages } of rows.filter((r) => r.pages >= MAINTENANCE_MIN_PAGES)) {
      const analyse = pages > relpages * MAINTENANCE_GROWTH;
      try {
        await this.db.exec(`VACUUM ${analyse ? '(ANALYZE) ' : ''}"${relname.replaceAll('"', '""')}"`);
        if (analyse) analysed.push(relname);
      } catch (error) {
        // A table dropped meanwhile (a projection's rebuild tables swapped in) needs nothing more.
        if ((error as { code?: string }).code !== '42P01') throw error;
      }
    }
    return analysed;
  }

  /** Runs `maintain()` every `intervalMs` until `close()`; a failed pass is reported and the next one still runs. */
  startMaintenance(intervalMs: number, onPass: (tables: string[], error?: unknown) => void = () => undefined): void {
    if (this.#maintenance) return;
    const tick = () => {
      if (this.db.closed || !this.#maintenance) return;
      this.#maintenance.running = this.maintain().then(
        (tables) => onPass(tables),
        (error: unknown) => onPass([], error),
      );
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
