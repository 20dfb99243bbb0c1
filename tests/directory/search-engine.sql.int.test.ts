/**
 * The search-engine contract against the SQL engine (search.projection.ts + pg-search-engine.ts), on the embedded
 * PGlite and on a real PostgreSQL (a fresh database; skipped without TEST_DATABASE_URL, required when CI=true).
 */
import { expect, it } from 'vitest';
import { FiliereRegistry } from '../../src/modules/directory/infrastructure/filiere-registry.ts';
import { CommuneGeocoder } from '../../src/modules/directory/infrastructure/geocoding/commune-geocoder.ts';
import { SqlSearchEngine } from '../../src/modules/directory/infrastructure/search/pg-search-engine.ts';
import { searchProjection } from '../../src/modules/directory/infrastructure/search/search.projection.ts';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';
import type { SqlDatabase } from '../../src/shared-kernel/sql/sql-database.ts';
import { runnerHarness, searchEngineContract } from '../contracts/search-engine.contract.ts';
import { freshPgDatabase, requirePostgres, testDatabaseUrl } from '../support/databases.ts';

async function sqlHarness(db: SqlDatabase) {
  const store = await SqlEventStore.open(db, { pollIntervalMs: 20 });
  const deps = { geocoder: await CommuneGeocoder.load(), filieres: FiliereRegistry.loadDirectory() };
  return runnerHarness({
    store,
    db,
    engine: new SqlSearchEngine(db),
    projections: [searchProjection(deps)],
    close: async () => {
      await store.close();
      await db.close();
    },
  });
}

searchEngineContract('SQL on PGlite', async () => sqlHarness(await PgliteDatabase.open()));

if (testDatabaseUrl) {
  searchEngineContract('SQL on PostgreSQL', async () => sqlHarness(await freshPgDatabase()));
} else {
  it.runIf(requirePostgres)('PostgreSQL is available in CI', () => {
    expect.fail('TEST_DATABASE_URL is not set while CI=true');
  });
}
