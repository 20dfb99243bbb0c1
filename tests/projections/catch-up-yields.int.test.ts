/**
 * PGlite runs in this thread and answers its queries without ever waiting on a socket: a projection catching up on
 * a long log chained query after query in microtasks, and the event loop starved — no timer fired, no HTTP request
 * was answered (not even /healthz) until every projection had caught up (13 minutes on the national log). A
 * subscription now yields to the event loop between pages.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import type { StreamAppend } from '../../src/shared-kernel/event-store/event-store.port.ts';
import { ProjectionRunner } from '../../src/shared-kernel/projections/projection-runner.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';
import { testMetadata } from '../support/search-fixtures.ts';
import { countingProjection } from './counting.projection.ts';

let db: PgliteDatabase;
let store: SqlEventStore;
beforeAll(async () => {
  db = await PgliteDatabase.open();
  store = await SqlEventStore.open(db);
  const batch: StreamAppend[] = Array.from({ length: 3000 }, (_, i) => ({
    streamName: `crash.yield-${i}`,
    expectedRevision: 'no-stream' as const,
    events: [{ type: 'Counted', data: { i }, metadata: testMetadata() }],
  }));
  await store.appendMany(batch);
}, 60_000);
afterAll(async () => {
  await db?.close();
});

describe('catch-up on the embedded database', () => {
  it('lets timers and I/O run between pages while a projection catches up', async () => {
    const runner = new ProjectionRunner(store, db, { batchSize: 10 });
    runner.register(countingProjection());
    await runner.start();
    const head = await store.headPosition();
    // A timer set now must fire while the 300 pages are still being applied, not after.
    const positionWhenTimerFired = await new Promise<number>((resolve) => setTimeout(() => void runner.status().then((s) => resolve(s[0]!.position)), 5));
    expect(positionWhenTimerFired).toBeLessThan(head);
    for (;;) {
      if ((await runner.status())[0]!.lag === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await runner.stop();
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM test_applied');
    expect(rows[0]!.n).toBe(3000);
  }, 120_000);
});
