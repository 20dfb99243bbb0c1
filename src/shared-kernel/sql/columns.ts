/**
 * Rows as one array per column, for a multi-row write in one statement:
 * `INSERT … SELECT … FROM unnest($1::text[], $2::timestamptz[], …)`.
 */
export function columns<R, K extends keyof R>(rows: readonly R[], keys: readonly K[]): unknown[][] {
  return keys.map((k) => rows.map((r) => r[k]));
}
