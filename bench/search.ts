/**
 * Search benchmark on the synthetic national directory (or one département): seeds the demo data set through the
 * event store, lets the search projection catch up, then measures
 *   1. the engine: p50/p95/p99 of a mix of real query shapes, one at a time;
 *   2. freshness: delay from a slot's publication to its visibility in search while 1,000 slot events/s arrive;
 *   3. HTTP end to end: GET /api/search with a logged-in regulator, concurrent clients, throughput and latencies
 *      (the platform runs in its own process, `node src/main.ts`, as in production).
 * on PostgreSQL (a throwaway durable server started here) and PGlite (embedded, on disk).
 *
 *   npm run bench:search                                    # national scale, both adapters
 *   npm run bench:search -- --only postgres --scale department --queries 500 --http-seconds 10
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createPlatform, MODULES, type Platform } from '../src/app/platform.ts';
import { loadConfig } from '../src/shared-kernel/config/config.ts';
import { createLogger } from '../src/shared-kernel/logging/logger.ts';
import { metadataFor, systemActor } from '../src/shared-kernel/events/envelope.ts';
import { cumulativeWeights, SeededRandom } from '../src/shared-kernel/random/seeded-random.ts';
import { isDemoRpps } from '../src/shared-kernel/ids/rpps.id.ts';
import { DIRECTORY, seedDemoDirectory, type DemoScale } from '../src/modules/directory/index.ts';
import { generateDemoPractitioners, type DemoPractitioner } from '../src/modules/directory/application/demo/demo-directory.ts';
import type { SearchEngine, SearchQuery } from '../src/modules/directory/application/search/search-engine.port.ts';
import { nameKey, SEARCH_PROJECTION } from '../src/modules/directory/infrastructure/search/search.projection.ts';
import { seedDemoAgendas } from '../src/modules/availability/index.ts';
import { slotStreamName } from '../src/modules/availability/contracts/availability.events.ts';
import type { Commune } from '../src/modules/directory/domain/geocoding/commune.ts';
import type { StreamAppend } from '../src/shared-kernel/event-store/event-store.port.ts';
import { demoIdentityByRole } from '../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { loginAs } from '../tests/support/http-browser.ts';
import { startPostgres } from '../tests/support/services.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    scale: { type: 'string', default: 'national' },
    departement: { type: 'string', default: '31' },
    queries: { type: 'string', default: '2000' },
    'http-seconds': { type: 'string', default: '20' },
    'http-clients': { type: 'string', default: '16' },
    'fresh-seconds': { type: 'string', default: '20' },
    'fresh-rate': { type: 'string', default: '1000' },
    /** An existing PostgreSQL to use (and keep) instead of a throwaway one; seeded only if its log is empty. */
    'database-url': { type: 'string' },
    /** With --only pglite: an embedded database directory to use (and keep) instead of a throwaway one. */
    'data-dir': { type: 'string' },
    /** Which measures to run: engine, freshness, http (comma-separated; default all). */
    phases: { type: 'string', default: 'engine,freshness,http' },
  },
});
const SCALE: DemoScale = values.scale === 'national' ? { kind: 'national' } : { kind: 'department', departement: values.departement! };
const QUERIES = Number(values.queries);
const PHASES = new Set(values.phases!.split(','));
const HOUR = 3_600_000;

interface Row {
  adapter: string;
  measure: string;
  dataset: string;
  n: number;
  'p50 ms': string;
  'p95 ms': string;
  'p99 ms': string;
  'per s': string;
}
const rows: Row[] = [];
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
function record(adapter: string, measure: string, dataset: string, latencies: number[], perSecond: number | null) {
  const s = [...latencies].sort((a, b) => a - b);
  rows.push({ adapter, measure, dataset, n: s.length, 'p50 ms': pct(s, 50).toFixed(1), 'p95 ms': pct(s, 95).toFixed(1), 'p99 ms': pct(s, 99).toFixed(1), 'per s': perSecond === null ? '—' : perSecond.toFixed(0) });
  console.log(JSON.stringify(rows.at(-1)));
}

/** A query shape of the mix, with its HTTP form. */
interface Shape {
  readonly shape: string;
  readonly query: Omit<SearchQuery, 'from' | 'to' | 'seed'> & { readonly window: readonly [number, number] };
  readonly http: string;
}

const WINDOWS = [['0-4', 0, 4], ['4-8', 4, 8], ['8-12', 8, 12], ['12-24', 12, 24], ['24-48', 24, 48]] as const;
const FILIERES = [['medecine-generale', 10], ['medecine-generale', 10], ['medecine-generale', 10], ['medecine-generale', 10], ['chirurgiens-dentistes', 15], ['sages-femmes', 15], ['psychiatrie', 20]] as const;

/** The mix: mostly address searches around where people live, with filters, zones, names and médecins traitants. */
function queryMix(communes: readonly Commune[], practitioners: readonly DemoPractitioner[], n: number): Shape[] {
  const rng = new SeededRandom(7);
  const places = communes.filter((c) => c.point && c.population > 0 && (SCALE.kind === 'national' || c.departement === SCALE.departement));
  const weights = cumulativeWeights(places.map((c) => c.population));
  const gps = practitioners.filter((p) => p.identity.specialtyCode === 'SM54');
  const out: Shape[] = [];
  for (let i = 0; i < n; i++) {
    const c = rng.pickWeighted(places, weights);
    const [filiere, radiusKm] = rng.pick(FILIERES);
    const lat = c.point!.lat + (rng.next() - 0.5) * 0.02;
    const lon = c.point!.lon + (rng.next() - 0.5) * 0.02;
    const point = { kind: 'point', lat, lon, radiusKm } as const;
    const base = { filiere, onlyAvailable: false, offset: 0, limit: 5, window: [0, 48] as const };
    const at = `filiere=${filiere}&lat=${lat.toFixed(5)}&lon=${lon.toFixed(5)}&radiusKm=${radiusKm}`;
    const r = rng.next();
    if (r < 0.4) out.push({ shape: 'address', query: { ...base, place: point }, http: at });
    else if (r < 0.45) out.push({ shape: 'address + en sus', query: { ...base, place: point, acceptsEnSus: true }, http: `${at}&enSus=true` });
    else if (r < 0.6) {
      const [code, from, to] = rng.pick(WINDOWS);
      out.push({ shape: 'address + disponible sous', query: { ...base, place: point, onlyAvailable: true, window: [from, to] }, http: `${at}&disponibleSous=${code}` });
    } else if (r < 0.7) {
      const type = rng.pick(['teleconsultation', 'domicile'] as const);
      out.push({ shape: 'address + consultation type', query: { ...base, place: point, consultationType: type }, http: `${at}&consultationType=${type}` });
    } else if (r < 0.8) out.push({ shape: 'commune (zone)', query: { ...base, place: { kind: 'commune', inseeCode: c.inseeCode } }, http: `filiere=${filiere}&commune=${c.inseeCode}` });
    else if (r < 0.85) out.push({ shape: 'département (zone)', query: { ...base, place: { kind: 'departement', departement: c.departement } }, http: `filiere=${filiere}&departement=${c.departement}` });
    else if (r < 0.9) {
      const who = rng.pick(gps);
      const name = nameKey(who.identity.familyName).slice(0, 5);
      out.push({ shape: 'name in a département', query: { ...base, filiere: 'medecine-generale', place: { kind: 'departement', departement: c.departement }, name }, http: `filiere=medecine-generale&departement=${c.departement}&name=${name}` });
    } else {
      const who = rng.pick(gps);
      out.push({ shape: 'address + médecin traitant', query: { ...base, filiere: 'medecine-generale', place: { ...point, radiusKm: 10 }, treatingRpps: who.identity.rpps }, http: `filiere=medecine-generale&lat=${lat.toFixed(5)}&lon=${lon.toFixed(5)}&radiusKm=10&medecinTraitant=${who.identity.rpps}` });
    }
  }
  return out;
}

/**
 * SAS participation for the data set, as the participation module will declare it (its module comes with a later
 * issue; the events are its public contract): 30 % of the practitioners, a third of them accepting patients "en
 * sus", secteur 1 for most. Written once (skipped when the log already holds declarations).
 */
async function seedParticipation(platform: Platform, communes: readonly Commune[]) {
  const already = await platform.eventStore.readAll({ after: 0, limit: 1, filter: { eventTypes: ['ParticipationDeclared'] } });
  if (already.length > 0) return;
  const rng = new SeededRandom(13);
  const meta = metadataFor({ actor: systemActor, correlationId: crypto.randomUUID(), now: new Date() }, () => crypto.randomUUID());
  let batch: StreamAppend[] = [];
  for (const p of generateDemoPractitioners(communes, SCALE)) {
    if (!rng.chance(0.3)) continue;
    const sector = rng.pick(['1', '1', '1', '1', '1', '1', '2', '2', '3', null] as const);
    batch.push({
      streamName: `participation.effecteur-${p.identity.rpps}`,
      expectedRevision: 'no-stream',
      events: [{ type: 'ParticipationDeclared', data: { effecteurId: p.identity.rpps, mode: 'individual', structureId: null, acceptsEnSus: rng.chance(0.33), conventionSector: sector }, metadata: meta() }],
    });
    if (batch.length >= 2000) {
      await platform.eventStore.appendMany(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await platform.eventStore.appendMany(batch);
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function run(adapter: 'postgres' | 'pglite') {
  const dir = mkdtempSync(join(tmpdir(), 'sas-bench-search-'));
  const reuse = adapter === 'postgres' ? values['database-url'] : undefined;
  const pgServer = adapter === 'postgres' && !reuse ? await startPostgres({ durable: true }) : null;
  const databaseUrl = reuse ?? pgServer?.url;
  const env: Record<string, string> = {
    LOG_LEVEL: 'warn',
    DEMO_DATA: 'false',
    HOST: '127.0.0.1',
    PORT: '0',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : { DATA_DIR: (adapter === 'pglite' ? values['data-dir'] : undefined) ?? join(dir, 'data') }),
  };
  let platform: Platform | undefined;
  let child: ChildProcess | undefined;
  try {
    platform = await createPlatform({ config: loadConfig(env), logger: createLogger({ level: 'warn' }), modules: MODULES });
    const directory = platform.containers.get('directory')!;
    const communes = directory.get(DIRECTORY.search).geocoder!.all();
    const deps = directory.get(DIRECTORY.deps);

    // The demo accounts (the regulator the HTTP part logs in as), without the demo directory.
    for (const module of MODULES.filter((m) => m.name === 'identity')) await module.demo?.(platform.containers.get(module.name)!);
    let started = performance.now();
    console.log(`[${adapter}] seeding the ${values.scale} data set…`);
    // Nothing is written when the scale was seeded before (a reused database).
    const seeding = await seedDemoDirectory(deps, communes, SCALE, { batchSize: 2000 });
    if (seeding.practitioners > 0) await seedDemoAgendas(deps, { isDemo: isDemoRpps });
    await seedParticipation(platform, communes);
    const seedSeconds = (performance.now() - started) / 1000;
    const head = await platform.eventStore.headPosition();
    if (seeding.practitioners > 0) rows.push({ adapter, measure: 'seed (appendMany, 2,000 streams/tx)', dataset: '', n: head, 'p50 ms': '—', 'p95 ms': '—', 'p99 ms': '—', 'per s': (head / seedSeconds).toFixed(0) });

    started = performance.now();
    await platform.start();
    // Caught up: no lag (a filtered projection's position stays at its last matching event).
    const progress = setInterval(async () => {
      const lagging = (await platform?.projections.status())?.filter((s) => s.lag > 0).map((s) => `${s.name} ${s.lag.toLocaleString('en')}`);
      console.log(`[${adapter}] catching up after ${((performance.now() - started) / 1000).toFixed(0)} s; events left: ${lagging?.join(', ') || 'none'}`);
    }, 60_000);
    try {
      await waitFor(async () => (await platform!.projections.status()).find((s) => s.name === SEARCH_PROJECTION)?.lag === 0, 6 * HOUR, 'the search projection');
    } finally {
      clearInterval(progress);
    }
    const catchUp = (performance.now() - started) / 1000;
    const counts = (
      await platform.readDb.query<{ ps: number; places: number; slots: number }>(
        `SELECT (SELECT count(*)::int FROM search_practitioners) AS ps, (SELECT count(*)::int FROM search_locations) AS places,
                (SELECT count(*)::int FROM search_slots WHERE starts_at > now()) AS slots`,
      )
    ).rows[0]!;
    const dataset = `${counts.ps.toLocaleString('en')} PS, ${counts.places.toLocaleString('en')} places, ${counts.slots.toLocaleString('en')} slots`;
    for (const row of rows) if (row.adapter === adapter && row.dataset === '') row.dataset = dataset;
    console.log(`[${adapter}] ${dataset} (${head.toLocaleString('en')} events)${seeding.practitioners > 0 ? `, seeded in ${seedSeconds.toFixed(0)} s` : ''}; search projection caught up in ${catchUp.toFixed(0)} s`);
    if (catchUp > 5) rows.push({ adapter, measure: 'search projection catch-up', dataset, n: head, 'p50 ms': '—', 'p95 ms': '—', 'p99 ms': '—', 'per s': (head / catchUp).toFixed(0) });
    await platform.readDb.query('ANALYZE');

    // 1. Engine, one query at a time.
    const engine: SearchEngine = directory.get(DIRECTORY.searchEngine);
    const practitioners = [...generateDemoPractitioners(communes, SCALE)];
    const mix = queryMix(communes, practitioners, QUERIES);
    const byShape = new Map<string, number[]>();
    const all: number[] = [];
    for (const [i, s] of (PHASES.has('engine') ? mix : []).entries()) {
      const now = Date.now();
      const q: SearchQuery = { ...s.query, from: new Date(now + s.query.window[0] * HOUR), to: new Date(now + s.query.window[1] * HOUR), seed: `s${i}` };
      const t0 = performance.now();
      await engine.search(q);
      const ms = performance.now() - t0;
      if (i >= 50) {
        // the first 50 warm the caches
        all.push(ms);
        byShape.set(s.shape, [...(byShape.get(s.shape) ?? []), ms]);
      }
    }
    for (const [shape, latencies] of byShape) record(adapter, `engine: ${shape}`, dataset, latencies, null);
    if (all.length > 0) record(adapter, 'engine: whole mix, sequential', dataset, all, 1000 / (all.reduce((a, b) => a + b, 0) / all.length));

    // 2. Freshness while slot events arrive at the given rate.
    if (PHASES.has('freshness')) await freshness(adapter, platform, engine, practitioners, dataset);
    if (!PHASES.has('http')) return;

    // 3. HTTP, the platform in its own process.
    await platform.stop();
    platform = undefined;
    const port = await freePort();
    child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), 'src/main.ts'], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
    const url = `http://127.0.0.1:${port}`;
    // Ready, and every projection caught up (the events of the freshness part are applied on start).
    const caughtUp = async () => {
      const body = (await (await fetch(`${url}/readyz`).catch(() => null))?.json().catch(() => null)) as { checks?: { name: string; detail?: unknown }[] } | null;
      const lags = body?.checks?.find((c) => c.name === 'projections')?.detail;
      return Array.isArray(lags) && lags.every((p: { lag: number }) => p.lag === 0);
    };
    await waitFor(caughtUp, HOUR, 'the platform process and its projections');
    const regulator = await loginAs(url, demoIdentityByRole('regulateur-osnp').nationalId);
    const cookie = [...regulator.browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    await http(adapter, url, cookie, mix, dataset);
  } finally {
    await platform?.stop();
    if (child) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await pgServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Publishes slots for demo GPs at `fresh-rate` events/s (batches every 50 ms); one slot in 25 is watched: a
 * search for its practitioner (zone = their commune, name) is repeated until the slot shows.
 */
async function freshness(adapter: string, platform: Platform, engine: SearchEngine, practitioners: readonly DemoPractitioner[], dataset: string) {
  const rate = Number(values['fresh-rate']);
  const seconds = Number(values['fresh-seconds']);
  const rng = new SeededRandom(11);
  const gps = practitioners.filter((p) => p.identity.specialtyCode === 'SM54');
  const meta = metadataFor({ actor: systemActor, correlationId: crypto.randomUUID(), now: new Date() }, () => crypto.randomUUID());
  // Every 50 ms, as many events as keep the total at `rate` × elapsed time (a slow tick is made up by the next).
  const due = () => Math.round((rate * (performance.now() - startedAt)) / 1000) - published;
  const delays: number[] = [];
  const watchers: Promise<void>[] = [];
  let published = 0;
  const startedAt = performance.now();
  const end = startedAt + seconds * 1000;
  for (let tick = 0; performance.now() < end; tick++) {
    const tickStart = performance.now();
    const count = Math.max(1, due());
    const batch = Array.from({ length: count }, (_, k) => {
      const who = rng.pick(gps);
      const slotId = crypto.randomUUID();
      // Early in the window so the slot is among the first shown on the card.
      const start = new Date(Date.now() + 60_000 + rng.int(0, 600) * 1000);
      return { who, watch: k === 0 && tick % 2 === 0, part: { streamName: slotStreamName(slotId), expectedRevision: 'no-stream' as const, events: [{ type: 'SlotPublished', data: { slotId, effecteurId: who.identity.rpps, start: start.toISOString(), end: new Date(start.getTime() + 15 * 60_000).toISOString(), consultationTypes: ['cabinet'], source: 'vendor' }, metadata: meta() }] } };
    });
    await platform.eventStore.appendMany(batch.map((b) => b.part));
    const committed = performance.now();
    published += batch.length;
    for (const b of batch.filter((x) => x.watch)) {
      const slotId = (b.part.events[0]!.data as { slotId: string }).slotId;
      const location = b.who.locations[0]!;
      watchers.push(
        (async () => {
          for (;;) {
            const now = Date.now();
            const cards = await engine.search({ filiere: 'medecine-generale', place: { kind: 'commune', inseeCode: location.inseeCode! }, name: nameKey(`${b.who.identity.familyName} ${b.who.identity.givenName}`), from: new Date(now), to: new Date(now + 48 * HOUR), onlyAvailable: true, seed: 'fresh', offset: 0, limit: 50 });
            if (cards.some((c) => c.rpps === b.who.identity.rpps && c.slots.some((s) => s.slotId === slotId))) {
              delays.push(performance.now() - committed);
              return;
            }
            if (performance.now() - committed > 30_000) {
              delays.push(Infinity);
              return;
            }
            await new Promise((r) => setTimeout(r, 20));
          }
        })(),
      );
    }
    const wait = 50 - (performance.now() - tickStart);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const elapsed = (performance.now() - startedAt) / 1000;
  await Promise.all(watchers);
  record(adapter, `freshness: publish → searchable (${(published / elapsed).toFixed(0)} slot events/s)`, dataset, delays, null);
}

/**
 * The HTTP load: `clients` concurrent clients over keep-alive connections (node:http — a light client, since it
 * shares the two cores with the platform and PostgreSQL), each sending the next search of the mix as soon as the
 * previous answer has been read whole.
 */
async function http(adapter: string, baseUrl: string, cookie: string, mix: readonly Shape[], dataset: string) {
  const clients = Number(values['http-clients']);
  const seconds = Number(values['http-seconds']);
  const agent = new HttpAgent({ keepAlive: true, maxSockets: clients });
  const { hostname, port } = new URL(baseUrl);
  const get = (path: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest({ hostname, port, path, agent, headers: { cookie, accept: 'application/json' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end();
    });
  // Warm-up.
  for (const s of mix.slice(0, 50)) await get(`/api/search?${s.http}`);
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const end = performance.now() + seconds * 1000;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < end) {
        const s = mix[next++ % mix.length]!;
        const t0 = performance.now();
        const response = await get(`/api/search?${s.http}`);
        if (response.status !== 200 && errors++ === 0) console.log(`[${adapter}] first HTTP error: ${response.status} ${s.http} ${response.body.slice(0, 300)}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - startedAt) / 1000;
  agent.destroy();
  if (errors > 0) console.log(`[${adapter}] ${errors} HTTP errors`);
  record(adapter, `HTTP GET /api/search, ${clients} clients${errors ? `, ${errors} errors` : ''}`, dataset, latencies, latencies.length / elapsed);
}

const adapters = (values.only ? [values.only] : ['postgres', 'pglite']) as ('postgres' | 'pglite')[];
for (const adapter of adapters) await run(adapter);
console.log(`\nSearch benchmark — scale ${values.scale}${SCALE.kind === 'department' ? ` (${SCALE.departement})` : ''}, ${QUERIES} queries, Node ${process.version}, ${new Date().toISOString()}`);
console.table(rows);
