/**
 * Vendor aggregation benchmark: vendor simulators on loopback serve a fixed, seeded dataset; the platform (on a
 * throwaway durable PostgreSQL, jobs in-process or on a throwaway Redis with --redis) aggregates them through its
 * repeatable jobs, then the benchmark measures
 *   1. ingestion: slots published per second, from start until every public slot of every vendor is published;
 *   2. freshness: the delay from a vendor-side change (a new slot, a moved slot) to its visibility in the search read
 *      model (the directory search projection's slot rows), against the target of one polling period + 1 s.
 *
 *   npm run bench:aggregation
 *   npm run bench:aggregation -- --vendors 3 --practitioners 2000 --polling-ms 5000 --changes 30 --redis
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPlatform, type Platform } from '../src/app/platform.ts';
import { loadConfig } from '../src/shared-kernel/config/config.ts';
import { createLogger } from '../src/shared-kernel/logging/logger.ts';
import { SeededRandom } from '../src/shared-kernel/random/seeded-random.ts';
import { AVAILABILITY } from '../src/modules/availability/availability.tokens.ts';
import { createVendorSimulator, type VendorSimulator } from '../src/modules/availability/infrastructure/vendor-sim/vendor-sim.server.ts';
import { vendorSlotId } from '../src/modules/availability/domain/vendor-slot-id.ts';
import { searchWindow } from '../src/modules/availability/infrastructure/vendors/vendor-search.ts';
import { startPostgres, startRedis, type RunningService } from '../tests/support/services.ts';

const { values } = parseArgs({
  options: {
    vendors: { type: 'string', default: '3' },
    practitioners: { type: 'string', default: '2000' },
    'polling-ms': { type: 'string', default: '5000' },
    changes: { type: 'string', default: '30' },
    redis: { type: 'boolean', default: false },
  },
});
const VENDORS = Number(values.vendors);
const PRACTITIONERS = Number(values.practitioners);
const POLLING_MS = Number(values['polling-ms']);
const CHANGES = Number(values.changes);

type SimSlot = { id: string; owner: { kind: string; rpps?: string }; start: string; end: string; shownBySas: boolean };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: readonly number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const services: RunningService[] = [];
  const sims: VendorSimulator[] = [];
  let platform: Platform | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sas-bench-aggregation-'));
  try {
    const pg = await startPostgres({ durable: true });
    services.push(pg);
    const redis = values.redis ? await startRedis() : undefined;
    if (redis) services.push(redis);

    const per = Math.ceil(PRACTITIONERS / VENDORS);
    for (let v = 0; v < VENDORS; v++) {
      sims.push(await createVendorSimulator({ vendor: `Bench ${v + 1}`, seed: 100 + v, practitioners: Math.min(per, PRACTITIONERS - v * per), practitionerOffset: 50_000 + v * 100_000 }));
    }
    const vendorIds = sims.map((_, v) => `bench-vendor-${v + 1}`);
    const file = join(dir, 'vendors.json');
    writeFileSync(file, JSON.stringify({
      vendors: sims.map((sim, v) => ({ id: vendorIds[v], name: `Bench ${v + 1}`, fhirBaseUrl: sim.fhirBaseUrl, capability: 'aggregation', practitioners: [...sim.practitioners], pollingPeriodMs: POLLING_MS, timeoutMs: 7000 })),
    }));
    const expected = new Set<string>();
    const window = searchWindow(new Date());
    for (const [v, sim] of sims.entries()) {
      const slots = (await (await fetch(`${sim.url}/_sim/slots?status=free`)).json()) as SimSlot[];
      for (const s of slots) if (s.owner.kind === 'practitioner' && s.shownBySas && Date.parse(s.start) > Date.now() + 60_000 && Date.parse(s.start) <= window.to.getTime()) expected.add(vendorSlotId(vendorIds[v]!, s.id));
    }

    // 1. Ingestion.
    const started = Date.now();
    platform = await createPlatform({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DEMO_DATA: 'false', DEMO_DIRECTORY: 'none', DATABASE_URL: pg.url, VENDORS_FILE: file, ...(redis ? { REDIS_URL: redis.url } : {}) }),
      logger: createLogger({ level: 'silent' }),
    });
    await platform.start();
    const db = platform.readDb;
    for (;;) {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM availability_vendor_slots WHERE status = 'published' AND slot_id = ANY($1::uuid[])`, [[...expected]]);
      if (Number(rows[0]!.n) >= expected.size) break;
      if (Date.now() - started > 600_000) throw new Error(`ingestion not finished after 10 min (${rows[0]!.n}/${expected.size})`);
      await sleep(100);
    }
    const ingestMs = Date.now() - started;
    // …and visible in search (the directory search projection has caught up).
    for (;;) {
      const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM search_slots WHERE slot_id = ANY($1::text[])', [[...expected]]);
      if (Number(rows[0]!.n) >= expected.size) break;
      await sleep(100);
    }
    const searchableMs = Date.now() - started;

    // 2. Freshness: vendor-side changes at random moments, each awaited in the search read model.
    const rng = new SeededRandom(7);
    const delays: number[] = [];
    const kinds = { added: 0, moved: 0 };
    for (let i = 0; i < CHANGES; i++) {
      await sleep(rng.int(0, POLLING_MS));
      const v = rng.int(0, sims.length - 1);
      const sim = sims[v]!;
      const rpps = sim.practitioners[rng.int(0, sim.practitioners.length - 1)]!;
      const t0 = Date.now();
      let slotId: string;
      let start: Date;
      if (i % 2 === 0) {
        start = new Date(Math.ceil((Date.now() + rng.int(2, 40) * 3_600_000) / 60_000) * 60_000);
        if (start > searchWindow(new Date()).to) start = new Date(Math.ceil((Date.now() + 2 * 3_600_000) / 60_000) * 60_000);
        const response = await fetch(`${sim.url}/_sim/slots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rpps, start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString() }) });
        slotId = vendorSlotId(vendorIds[v]!, ((await response.json()) as SimSlot).id);
        kinds.added++;
      } else {
        const slots = ((await (await fetch(`${sim.url}/_sim/slots?rpps=${rpps}&status=free`)).json()) as SimSlot[]).filter((s) => s.shownBySas && Date.parse(s.start) > Date.now() + 3_600_000);
        const moved = slots[0];
        if (!moved) continue;
        start = new Date(Date.parse(moved.start) + 5 * 60_000);
        await fetch(`${sim.url}/_sim/slots/${moved.id}/move`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString() }) });
        slotId = vendorSlotId(vendorIds[v]!, moved.id);
        kinds.moved++;
      }
      for (;;) {
        const { rows } = await db.query<{ starts_at: Date }>('SELECT starts_at FROM search_slots WHERE slot_id = $1', [slotId]);
        if (rows[0] && new Date(rows[0].starts_at).getTime() === start.getTime()) break;
        if (Date.now() - t0 > 10 * POLLING_MS + 30_000) throw new Error(`change ${i} not visible after ${Date.now() - t0} ms`);
        await sleep(25);
      }
      delays.push(Date.now() - t0);
    }
    delays.sort((a, b) => a - b);
    const statuses = await Promise.all(vendorIds.map(async (id) => (await import('../src/modules/availability/application/aggregate-vendor-slots/vendors.route.ts')).vendorStatuses(platform!.containers.get('availability')!.get(AVAILABILITY.aggregation)).then((all) => all.find((s) => s.id === id)!)));
    console.table([
      {
        jobs: platform.jobs.name,
        vendors: VENDORS,
        practitioners: PRACTITIONERS,
        'batches (25)': statuses.reduce((n, s) => n + s.batches, 0),
        'public slots': expected.size,
        'ingest s': (ingestMs / 1000).toFixed(1),
        'slots/s': Math.round(expected.size / (ingestMs / 1000)),
        'searchable s': (searchableMs / 1000).toFixed(1),
      },
    ]);
    console.table([
      {
        'polling ms': POLLING_MS,
        changes: `${delays.length} (${kinds.added} new, ${kinds.moved} moved)`,
        'p50 ms': percentile(delays, 50),
        'p95 ms': percentile(delays, 95),
        'max ms': delays[delays.length - 1],
        'target ms': POLLING_MS + 1000,
        'p95 within target': percentile(delays, 95) <= POLLING_MS + 1000 ? 'yes' : 'NO',
      },
    ]);
  } finally {
    await platform?.stop();
    for (const sim of sims) await sim.stop();
    for (const service of services.reverse()) await service.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
