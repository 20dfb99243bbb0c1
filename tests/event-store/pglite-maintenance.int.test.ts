/**
 * PGlite has no autovacuum: `PgliteDatabase.maintain()` analyses and vacuums the tables that grew. Without it a
 * projection reading a frequent event type from a large log was planned as "every remaining match, sorted" on each
 * poll (quadratic catch-up: the national log never caught up); with it, the log is read in order by its key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import type { StreamAppend } from '../../src/shared-kernel/event-store/event-store.port.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';
import { testMetadata } from '../support/search-fixtures.ts';

let db: PgliteDatabase;
let store: SqlEventStore;
beforeAll(async () => {
  db = await PgliteDatabase.open();
  store = await SqlEventStore.open(db);
}, 60_000);
afterAll(async () => {
  await db?.close();
});

/** Appends `n` events, one in twenty of the rare type, in streams of one event. */
async function append(n: number, offset: number) {
  const batch: StreamAppend[] = [];
  for (let i = offset; i < offset + n; i++) {
    batch.push({ streamName: `maint.s-${i}`, expectedRevision: 'no-stream', events: [{ type: i % 20 === 0 ? 'Rare' : 'Frequent', data: { i, pad: 'x'.repeat(200) }, metadata: testMetadata() }] });
    if (batch.length === 2000) await store.appendMany(batch.splice(0));
  }
  if (batch.length > 0) await store.appendMany(batch);
}

/** The plan of a subscription's page read: the next 500 events of some types after a position. */
async function pagePlan(types: string[]): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(
    'EXPLAIN SELECT global_position, data FROM es_events WHERE global_position > $1 AND event_type = ANY($2::text[]) ORDER BY global_position LIMIT $3',
    [10, types, 500],
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('PGlite maintenance (what autovacuum does on a server)', () => {
  it('analyses a grown log so that a page of a frequent type is read in order, not sorted from every match', async () => {
    await append(20_000, 0);
    // Never analysed: the planner assumes few matches and sorts all of them on every page.
    expect(await pagePlan(['Frequent'])).toMatch(/Sort/);

    const maintained = await db.maintain();
    expect(maintained).toContain('es_events');
    const { rows } = await db.query<{ reltuples: number }>(`SELECT reltuples::int AS reltuples FROM pg_class WHERE relname = 'es_events'`);
    expect(rows[0]!.reltuples).toBeGreaterThan(15_000);

    const frequent = await pagePlan(['Frequent']);
    expect(frequent).not.toMatch(/Sort/);
    expect(frequent).toMatch(/Index Scan using es_events_pkey/);
    // Reading the pages still answers the same events.
    const page = await store.readAll({ after: 0, limit: 500, filter: { eventTypes: ['Rare'] } });
    expect(page).toHaveLength(500);
    expect(page.every((e) => e.type === 'Rare')).toBe(true);
  }, 120_000);

  it('passes over tables that have not grown, and comes back to one that grew by a tenth', async () => {
    expect(await db.maintain()).toEqual([]);
    await append(3_000, 20_000);
    expect(await db.maintain()).toContain('es_events');
    expect(await db.maintain()).toEqual([]);
  }, 120_000);

  it('reclaims the dead rows of a table updated in place', async () => {
    await db.exec('CREATE TABLE maint_rows (id int PRIMARY KEY, n int NOT NULL, pad text NOT NULL)');
    await db.query(`INSERT INTO maint_rows SELECT i, 0, repeat('y', 200) FROM generate_series(1, 5000) AS i`);
    await db.maintain();
    const pages = async () => (await db.query<{ p: number }>(`SELECT (pg_relation_size('maint_rows') / 8192)::int AS p`)).rows[0]!.p;
    const before = await pages();
    // Every update writes a new row version; without VACUUM the table grows at each round.
    for (let round = 1; round <= 6; round++) {
      await db.query('UPDATE maint_rows SET n = n + 1');
      await db.maintain();
    }
    expect(await pages()).toBeLessThan(before * 3);
    await db.exec('DROP TABLE maint_rows');
  }, 120_000);

  it('analyses on the first pass a table filled by an earlier process (activity statistics are not kept)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sas-pglite-maint-'));
    try {
      const first = await PgliteDatabase.open(dir);
      await first.exec('CREATE TABLE filled (id int)');
      await first.query('INSERT INTO filled SELECT generate_series(1, 20000)');
      await first.close();
      const second = await PgliteDatabase.open(dir);
      try {
        expect(await second.maintain()).toContain('filled');
        expect(await second.maintain()).toEqual([]);
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs on a timer until the database is closed, which waits for a pass under way', async () => {
    const other = await PgliteDatabase.open();
    const passes: string[][] = [];
    try {
      await other.exec('CREATE TABLE grown (id int)');
      await other.query('INSERT INTO grown SELECT generate_series(1, 20000)');
      other.startMaintenance(50, (tables, error) => {
        if (error) throw error;
        passes.push(tables);
      });
      const deadline = Date.now() + 20_000;
      while (!passes.some((t) => t.includes('grown')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(passes.flat()).toContain('grown');
    } finally {
      await other.close();
    }
    expect(other.db.closed).toBe(true);
  }, 60_000);
});
