/**
 * Event-store benchmark: append throughput (single events and batches of 100, 1 and 8 concurrent writers),
 * read-all throughput and catch-up subscription throughput, on PostgreSQL (a throwaway durable server started
 * here: fsync on) and PGlite (embedded, on disk).
 *
 *   npm run bench:event-store                       # 1,000,000 events for read-all and catch-up
 *   npm run bench:event-store -- --events 200000 --only postgres
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventEnvelope } from '../src/shared-kernel/events/envelope.ts';
import type { EventStore } from '../src/shared-kernel/event-store/event-store.port.ts';
import { SqlEventStore } from '../src/shared-kernel/event-store/sql-event-store.ts';
import { PgDatabase } from '../src/shared-kernel/sql/pg-database.ts';
import { PgliteDatabase } from '../src/shared-kernel/sql/pglite-database.ts';
import type { SqlDatabase } from '../src/shared-kernel/sql/sql-database.ts';
import { startPostgres } from '../tests/support/services.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    only: { type: 'string' },
    appends: { type: 'string', default: '2000' },
  },
});
const TOTAL = Number(values.events);
const SINGLE_APPENDS = Number(values.appends);

interface Row {
  adapter: string;
  scenario: string;
  dataset: number;
  events: number;
  seconds: number;
  perSecond: number;
  p50: number | null;
  p95: number | null;
}

const rows: Row[] = [];

function event(i: number): EventEnvelope {
  return {
    type: 'SlotPublished',
    data: {
      slotId: randomUUID(),
      effecteurId: '10991003103',
      start: '2026-11-23T09:00:00.000Z',
      end: '2026-11-23T09:20:00.000Z',
      consultationTypes: ['cabinet'],
      source: 'manual',
      i,
    },
    metadata: {
      eventId: randomUUID(),
      correlationId: randomUUID(),
      causationId: null,
      actor: { accountId: 'bench', role: 'system' },
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
    },
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function appendScenario(adapter: string, store: EventStore, scenario: string, writers: number, batch: number, appendsPerWriter: number) {
  const dataset = await store.headPosition();
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const stream = `bench.writer-${w}-${randomUUID()}`;
      for (let i = 0; i < appendsPerWriter; i++) {
        const events = Array.from({ length: batch }, (_, k) => event(i * batch + k));
        const t0 = performance.now();
        await store.appendToStream(stream, events, { expectedRevision: i === 0 ? 'no-stream' : i * batch - 1 });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const events = writers * batch * appendsPerWriter;
  latencies.sort((a, b) => a - b);
  rows.push({ adapter, scenario, dataset, events, seconds, perSecond: events / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95) });
  console.error(`  ${scenario}: ${(events / seconds).toFixed(0)} events/s`);
}

async function fill(store: EventStore, target: number) {
  let head = await store.headPosition();
  const writers = 4;
  while (head < target) {
    const remaining = target - head;
    const perWriter = Math.max(1, Math.min(50, Math.ceil(remaining / (writers * 100))));
    await Promise.all(
      Array.from({ length: writers }, async () => {
        const stream = `bench.fill-${randomUUID()}`;
        for (let i = 0; i < perWriter; i++) {
          await store.appendToStream(stream, Array.from({ length: 100 }, (_, k) => event(k)), { expectedRevision: 'any' });
        }
      }),
    );
    head = await store.headPosition();
    process.stderr.write(`\r  filling: ${head.toLocaleString('en')} / ${target.toLocaleString('en')} events`);
  }
  process.stderr.write('\n');
}

async function readAllScenario(adapter: string, store: EventStore) {
  const dataset = await store.headPosition();
  const latencies: number[] = [];
  let after = 0;
  let count = 0;
  const started = performance.now();
  for (;;) {
    const t0 = performance.now();
    const page = await store.readAll({ after, limit: 1000 });
    latencies.push(performance.now() - t0);
    if (page.length === 0) break;
    count += page.length;
    after = page[page.length - 1]!.position;
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  rows.push({ adapter, scenario: 'read all (pages of 1000)', dataset, events: count, seconds, perSecond: count / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95) });
  console.error(`  read all: ${(count / seconds).toFixed(0)} events/s`);
}

async function catchUpScenario(adapter: string, store: EventStore) {
  const dataset = await store.headPosition();
  let count = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const subscription = store.subscribeToAll(
      { after: 0, batchSize: 1000, onCaughtUp: () => void subscription.stop().then(resolve), onError: reject },
      (events) => {
        count += events.length;
      },
    );
  });
  const seconds = (performance.now() - started) / 1000;
  rows.push({ adapter, scenario: 'subscription catch-up', dataset, events: count, seconds, perSecond: count / seconds, p50: null, p95: null });
  console.error(`  catch-up: ${(count / seconds).toFixed(0)} events/s`);
}

async function run(adapter: string, db: SqlDatabase) {
  console.error(`${adapter}:`);
  const store = await SqlEventStore.open(db);
  await appendScenario(adapter, store, 'append 1 event, 1 writer', 1, 1, SINGLE_APPENDS);
  await appendScenario(adapter, store, 'append 1 event, 8 writers', 8, 1, Math.ceil(SINGLE_APPENDS / 8));
  await appendScenario(adapter, store, 'append batch of 100, 1 writer', 1, 100, 200);
  await appendScenario(adapter, store, 'append batch of 100, 8 writers', 8, 100, 25);
  await fill(store, TOTAL);
  // The same appends again on the full store: indexes are large now.
  await appendScenario(adapter, store, 'append 1 event, 8 writers (full store)', 8, 1, Math.ceil(SINGLE_APPENDS / 8));
  await appendScenario(adapter, store, 'append batch of 100, 8 writers (full store)', 8, 100, 25);
  await readAllScenario(adapter, store);
  await catchUpScenario(adapter, store);
  await store.close();
  await db.close();
}

if (!values.only || values.only === 'postgres') {
  const pg = await startPostgres({ durable: true });
  try {
    await run('PostgreSQL 15 (fsync on)', new PgDatabase(pg.url, { max: 16 }));
  } finally {
    await pg.stop();
  }
}
if (!values.only || values.only === 'pglite') {
  const dir = mkdtempSync(join(tmpdir(), 'sas-bench-pglite-'));
  try {
    await run('PGlite (on disk)', await PgliteDatabase.open(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number | null, digits = 1) => (n === null ? '—' : n.toFixed(digits));
console.log('\n| adapter | scenario | dataset (events before) | events | seconds | events/s | p50 ms/op | p95 ms/op |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.adapter} | ${r.scenario} | ${r.dataset.toLocaleString('en')} | ${r.events.toLocaleString('en')} | ${fmt(r.seconds, 2)} | ${Math.round(r.perSecond).toLocaleString('en')} | ${fmt(r.p50, 2)} | ${fmt(r.p95, 2)} |`,
  );
}
