import { describe, expect, it } from 'vitest';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';
import type { SqlDatabase } from '../../src/shared-kernel/sql/sql-database.ts';
import { eventStoreContract } from '../contracts/event-store.contract.ts';
import { freshPgDatabase, requirePostgres, testDatabaseUrl } from '../support/databases.ts';

const databases = new WeakMap<SqlEventStore, SqlDatabase>();

async function openOn(db: SqlDatabase): Promise<SqlEventStore> {
  const store = await SqlEventStore.open(db);
  databases.set(store, db);
  return store;
}

async function closeStore(store: SqlEventStore) {
  await store.close();
  await databases.get(store)?.close();
}

if (testDatabaseUrl) {
  eventStoreContract('PostgreSQL', async () => openOn(await freshPgDatabase({ max: 30 })), (s) => closeStore(s as SqlEventStore));
} else {
  it.runIf(requirePostgres)('PostgreSQL is available in CI', () => {
    expect.fail('TEST_DATABASE_URL is not set while CI=true');
  });
}

eventStoreContract('PGlite', async () => openOn(await PgliteDatabase.open()), (s) => closeStore(s as SqlEventStore));

describe('EventStore opened twice on one database', () => {
  it.skipIf(!testDatabaseUrl)('creates its schema idempotently', async () => {
    const db = await freshPgDatabase();
    const first = await SqlEventStore.open(db);
    const second = await SqlEventStore.open(db);
    await first.close();
    await second.close();
    await db.close();
  });
});
