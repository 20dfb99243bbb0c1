import { PGlite } from '@electric-sql/pglite';
import { cube } from '@electric-sql/pglite/contrib/cube';
import { earthdistance } from '@electric-sql/pglite/contrib/earthdistance';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import type { SqlDatabase, SqlExecutor } from './sql-database.ts';

const toNumber = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

/**
 * A `SqlDatabase` over PGlite, PostgreSQL compiled to WebAssembly and run in this process: the embedded default.
 * `dataDir` undefined keeps everything in memory (tests); otherwise the database lives in that folder.
 */
export class PgliteDatabase implements SqlDatabase {
  readonly kind = 'pglite' as const;
  readonly db: PGlite;

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

  async close(): Promise<void> {
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
