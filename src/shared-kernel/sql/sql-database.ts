/** The part of a SQL connection the platform uses; implemented over `pg` (PostgreSQL) and PGlite. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[], options?: QueryOptions): Promise<{ rows: R[] }>;
}

export interface QueryOptions {
  /**
   * A hot read the server should parse and plan once per connection (a named prepared statement, the name derived
   * from the text): for statements run many times per second with different parameters (the search). Adapters
   * without prepared statements ignore it.
   */
  readonly prepare?: boolean;
}

export interface SqlDatabase extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs a script of several statements without parameters (schema set-up). */
  exec(sql: string): Promise<void>;
  /** Calls `onNotify` for every NOTIFY on `channel`, from this process or another; returns an unlisten function. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}
