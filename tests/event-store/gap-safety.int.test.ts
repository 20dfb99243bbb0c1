/**
 * Gap safety of the PostgreSQL global order: many writers append at once while a subscriber reads; the subscriber
 * must see every event exactly once, in increasing global position, each stream in revision order. Positions are
 * drawn when an append starts and become visible when it commits, so a store without gap protection lets a reader
 * pass position N+1 while N is still uncommitted and then never read N.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/shared-kernel/events/envelope.ts';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import type { PgDatabase } from '../../src/shared-kernel/sql/pg-database.ts';
import { testEvent } from '../contracts/event-store.contract.ts';
import { freshPgDatabase, testDatabaseUrl } from '../support/databases.ts';

const WRITERS = 12;
const APPENDS_PER_WRITER = 120;

describe.skipIf(!testDatabaseUrl)('PostgreSQL global order under concurrent writers', () => {
  let db: PgDatabase;
  let store: SqlEventStore;
  beforeAll(async () => {
    db = await freshPgDatabase({ max: WRITERS + 4 });
    store = await SqlEventStore.open(db, { pollIntervalMs: 5 });
  });
  afterAll(async () => {
    await store.close();
    await db.close();
  });

  it('a subscriber running during the writes sees every event exactly once, in commit-consistent order', async () => {
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToAll({ after: 0, batchSize: 17 }, (events) => {
      seen.push(...events);
    });
    // A second, bare reader polling read-all as fast as it can, advancing on what it sees.
    let stopPolling = false;
    const polled: RecordedEvent[] = [];
    const poller = (async () => {
      let after = 0;
      while (!stopPolling) {
        const page = await store.readAll({ after, limit: 50 });
        if (page.length > 0) {
          polled.push(...page);
          after = page[page.length - 1]!.position;
        }
      }
    })();

    const written: string[] = [];
    // Each writer owns its streams, so appends never conflict on a revision: only the global order is under test.
    const streams = Array.from({ length: WRITERS * 3 }, () => `gap.stream-${randomUUID()}`);
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, writer) => {
        for (let i = 0; i < APPENDS_PER_WRITER; i++) {
          const stream = streams[writer * 3 + (i % 3)]!;
          const batch = Array.from({ length: 1 + (i % 3) }, (_, k) => testEvent('GapTested', { writer, i, k }));
          await store.appendToStream(stream, batch, { expectedRevision: 'any' });
          written.push(...batch.map((e) => e.metadata.eventId));
        }
      }),
    );

    const deadline = Date.now() + 30_000;
    while ((seen.length < written.length || polled.length < written.length) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    stopPolling = true;
    await poller;
    await subscription.stop();

    for (const observed of [seen, polled]) {
      const ids = observed.map((e) => e.metadata.eventId);
      expect(new Set(ids).size).toBe(ids.length); // never twice
      expect(ids.length).toBe(written.length); // never skipped
      expect(new Set(ids)).toEqual(new Set(written));
      for (let i = 1; i < observed.length; i++) {
        expect(observed[i]!.position).toBeGreaterThan(observed[i - 1]!.position);
      }
      const lastRevision = new Map<string, number>();
      for (const event of observed) {
        expect(event.streamRevision).toBe((lastRevision.get(event.streamName) ?? -1) + 1);
        lastRevision.set(event.streamName, event.streamRevision);
      }
    }
  });
});
