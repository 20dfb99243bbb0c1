/** Fresh databases for integration tests: one new PostgreSQL database per call, or an in-memory PGlite. */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PgDatabase } from '../../src/shared-kernel/sql/pg-database.ts';

export const testDatabaseUrl = process.env.TEST_DATABASE_URL;
export const requirePostgres = !testDatabaseUrl && process.env.CI === 'true';

/** Creates an empty database on the test PostgreSQL server and returns a `PgDatabase` on it. */
export async function freshPgDatabase(options: { max?: number } = {}): Promise<PgDatabase> {
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set: the global set-up did not start PostgreSQL');
  const name = `t_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return new PgDatabase(url.toString(), options);
}
