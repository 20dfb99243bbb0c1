import pg from 'pg';
import { createHash } from 'node:crypto';
import type { QueryOptions, SqlDatabase, SqlExecutor } from './sql-database.ts';

const names = new Map<string, string>();
/** A prepared statement's name: a hash of its text (the same text, the same statement on every connection). */
function statementName(sql: string): string {
  let name = names.get(sql);
  if (!name) {
    name = `s_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    if (names.size > 5_000) names.clear();
    names.set(sql, name);
  }
  return name;
}

// int8 (global positions, revisions) as JS numbers: safe up to 2^53, far beyond any event log we keep.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** A `SqlDatabase` over a real PostgreSQL server through a `pg` connection pool. */
export class PgDatabase implements SqlDatabase {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  #listener: pg.Client | undefined;
  readonly #channels = new Map<string, Set<(payload: string) => void>>();

  readonly #connectionString: string;
  readonly #max: number;
  /**
   * Connections for prepared statements (`QueryOptions.prepare`), opened on first use, where PostgreSQL plans
   * each statement once (`plan_cache_mode = force_generic_plan`): left to itself it re-plans a statement with its
   * parameters on every call when it guesses a custom plan cheaper, and the search's planning then costs as much as
   * its execution. Only the named statements run there.
   */
  #preparedPool: pg.Pool | undefined;

  constructor(connectionString: string, options: { max?: number } = {}) {
    this.#connectionString = connectionString;
    this.#max = options.max ?? 10;
    this.pool = new pg.Pool({ connectionString, max: this.#max });
    // An idle client that loses its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<{ rows: R[] }> {
    const result = options?.prepare
      ? await this.#prepared().query({ name: statementName(sql), text: sql, values: params as unknown[] | undefined })
      : await this.pool.query(sql, params as unknown[] | undefined);
    return { rows: result.rows as R[] };
  }

  #prepared(): pg.Pool {
    if (!this.#preparedPool) {
      this.#preparedPool = new pg.Pool({ connectionString: this.#connectionString, max: this.#max, options: '-c plan_cache_mode=force_generic_plan' });
      this.#preparedPool.on('error', () => undefined);
    }
    return this.#preparedPool;
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const tx: SqlExecutor = {
        query: async <R>(sql: string, params?: readonly unknown[]) => ({
          rows: (await client.query(sql, params as unknown[] | undefined)).rows as R[],
        }),
      };
      const value = await fn(tx);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new TypeError(`Invalid channel name ${channel}`);
    if (!this.#listener) {
      const client = new pg.Client({ connectionString: this.pool.options.connectionString });
      client.on('error', () => undefined);
      client.on('notification', (msg) => {
        for (const cb of this.#channels.get(msg.channel) ?? []) cb(msg.payload ?? '');
      });
      await client.connect();
      this.#listener = client;
    }
    let handlers = this.#channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.#channels.set(channel, handlers);
      await this.#listener.query(`LISTEN ${channel}`);
    }
    handlers.add(onNotify);
    return async () => {
      handlers.delete(onNotify);
    };
  }

  async close(): Promise<void> {
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end().catch(() => undefined);
    const prepared = this.#preparedPool;
    this.#preparedPool = undefined;
    await Promise.all([this.pool.end(), prepared?.end()]);
  }
}
