/**
 * The composition root: opens the infrastructure chosen by the configuration (embedded defaults or production
 * services), builds one inversify container with a child per module, and starts and stops everything in mirror
 * order.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { resolve } from 'node:path';
import express from 'express';
import { Container } from 'inversify';
import { describeConfig, type Config } from '../shared-kernel/config/config.ts';
import type { EventStore } from '../shared-kernel/event-store/event-store.port.ts';
import { SqlEventStore } from '../shared-kernel/event-store/sql-event-store.ts';
import type { JobQueue } from '../shared-kernel/jobs/jobs.port.ts';
import { createLogger, type Logger } from '../shared-kernel/logging/logger.ts';
import type { PlatformModule } from '../shared-kernel/platform-module.ts';
import { ProjectionRunner } from '../shared-kernel/projections/projection-runner.ts';
import { PgDatabase } from '../shared-kernel/sql/pg-database.ts';
import { PgliteDatabase } from '../shared-kernel/sql/pglite-database.ts';
import type { SqlDatabase } from '../shared-kernel/sql/sql-database.ts';
import { TOKENS } from '../shared-kernel/tokens.ts';
import { DemoMachineClients } from '../shared-kernel/auth/demo-machine-clients.ts';
import { availabilityModule } from '../modules/availability/index.ts';
import { identityModule } from '../modules/identity/index.ts';
import { directoryModule } from '../modules/directory/index.ts';
import { anonymousAllowed, RouteRegistry } from '../shared-kernel/auth/route.ts';
import { openApiDocument } from './openapi.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { createHttpApp } from './http-app.ts';
import { webShellRouter } from './web-shell.ts';
import { createMetrics } from './metrics.ts';

const PACKAGE_VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

export const WEB_DIST_DIR = resolve(import.meta.dirname, '../../web/dist');

export const MODULES: readonly PlatformModule[] = [identityModule, directoryModule, availabilityModule];

export interface PlatformOptions {
  readonly config: Config;
  readonly logger?: Logger;
  readonly clock?: () => Date;
  readonly modules?: readonly PlatformModule[];
}

export interface Platform {
  readonly config: Config;
  readonly container: Container;
  readonly eventStore: EventStore;
  readonly readDb: SqlDatabase;
  readonly projections: ProjectionRunner;
  readonly jobs: JobQueue;
  readonly logger: Logger;
  readonly app: express.Express;
  /** Each module's own container, by module name (tests and the CLI reach module services through it). */
  readonly containers: ReadonlyMap<string, Container>;
  /** Every route with its authorisation policy. */
  readonly routes: RouteRegistry;
  /** Where browsers reach the platform, once started. */
  readonly publicUrl: () => string | null;
  /** Starts listening (role all/api) and processing (role all/worker). Resolves with the bound URL, if any. */
  start(): Promise<string | null>;
  /** Graceful shutdown: stop accepting, finish in-flight requests and jobs, stop projections, close stores. */
  stop(): Promise<void>;
}

/** How often the embedded database is analysed and vacuumed (see `PgliteDatabase.maintain`). */
const PGLITE_MAINTENANCE_INTERVAL_MS = 30_000;

/** Opens the read database: PostgreSQL when DATABASE_URL is set, else embedded PGlite under DATA_DIR. */
export async function openReadDatabase(config: Config): Promise<SqlDatabase> {
  if (config.databaseUrl) return new PgDatabase(config.databaseUrl);
  const dir = resolve(config.dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const unlock = lockDataDir(resolve(config.dataDir));
  try {
    const db = await PgliteDatabase.open(dir);
    const close = db.close.bind(db);
    db.close = async () => {
      try {
        await close();
      } finally {
        unlock();
      }
    };
    return db;
  } catch (error) {
    unlock();
    throw error;
  }
}

export async function openEventStore(config: Config, readDb: SqlDatabase): Promise<EventStore> {
  if (config.eventstoreUrl) {
    const { EsdbEventStore } = await import('../shared-kernel/event-store/esdb-event-store.ts');
    return EsdbEventStore.connect(config.eventstoreUrl);
  }
  return SqlEventStore.open(readDb);
}

export async function openJobQueue(config: Config, logger: Logger): Promise<JobQueue> {
  const onFailed = (queue: string, job: { id?: string; name?: string }, error: unknown) =>
    logger.error({ queue, jobId: job.id, err: error }, 'job failed after its last attempt');
  if (config.redisUrl) {
    const { BullMqJobQueue } = await import('../shared-kernel/jobs/bullmq-job-queue.ts');
    return new BullMqJobQueue({ redisUrl: config.redisUrl, onFailed, onError: (error: unknown) => logger.error({ err: error }, 'job queue connection error') });
  }
  const { InProcessJobQueue } = await import('../shared-kernel/jobs/in-process-job-queue.ts');
  return new InProcessJobQueue({ onFailed });
}

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const clock = options.clock ?? (() => new Date());
  const modules = options.modules ?? MODULES;
  const metrics = createMetrics();

  const readDb = await openReadDatabase(config);
  const eventStore = await openEventStore(config, readDb);
  const jobs = await openJobQueue(config, logger);
  const projections = new ProjectionRunner(eventStore, readDb, {
    onError: (name, error) => logger.error({ projection: name, err: error }, 'projection stopped on an error'),
  });

  const root = new Container({ defaultScope: 'Singleton' });
  root.bind(TOKENS.eventStore).toConstantValue(eventStore);
  root.bind(TOKENS.readDb).toConstantValue(readDb);
  root.bind(TOKENS.jobs).toConstantValue(jobs);
  root.bind(TOKENS.logger).toConstantValue(logger);
  root.bind(TOKENS.clock).toConstantValue(clock);
  root.bind(TOKENS.newId).toConstantValue(randomUUID);

  root.bind(TOKENS.config).toConstantValue(config);
  const api = express.Router();
  const rootRouter = express.Router();
  const routes = new RouteRegistry();
  let authenticate: express.RequestHandler = (_req, _res, next) => next();
  // Routers a module mounts outside /api (the FHIR endpoint of booking vendors) authenticate with the same handler.
  root.bind(TOKENS.authenticate).toConstantValue((req, res, next) => authenticate(req, res, next));
  root.bind(TOKENS.demoMachineClients).toConstantValue(new DemoMachineClients());
  const children = new Map<string, Container>();
  for (const module of modules) {
    const child = new Container({ parent: root, defaultScope: 'Singleton' });
    children.set(module.name, child);
    module.register(child);
    await module.init?.(child);
    const definitions = module.api?.(child);
    if (definitions) routes.mount(api, '/api', definitions);
    module.web?.(child, rootRouter, routes);
    const authenticator = module.authenticator?.(child);
    if (authenticator) authenticate = authenticator;
    for (const projection of module.projections?.(child) ?? []) projections.register(projection);
    await module.jobs?.(child, jobs);
  }
  routes.mount(api, '/api', [
    {
      method: 'get',
      path: '/openapi.json',
      summary: 'This API, as an OpenAPI 3.1 document',
      policy: anonymousAllowed,
      handle: (_req, res) => {
        res.json(openApiDocument(routes.routes, PACKAGE_VERSION));
      },
    },
  ]);
  // The web shell (Lit + DSFR) answers every other page of the site; `npm start` builds it first.
  rootRouter.use(webShellRouter(WEB_DIST_DIR));
  await projections.prepare();

  let shuttingDown = false;
  const app = createHttpApp({
    logger,
    metrics,
    bodyLimitBytes: config.bodyLimitBytes,
    api,
    root: rootRouter,
    authenticate: (req, res, next) => authenticate(req, res, next),
    isShuttingDown: () => shuttingDown,
    embedOrigins: config.embedOrigins,
    readiness: [
      {
        name: 'event-store',
        check: async () => ({ ok: true, detail: { adapter: eventStore.name, head: await eventStore.headPosition() } }),
      },
      { name: 'read-store', check: async () => ({ ok: (await readDb.query('SELECT 1 AS one')).rows.length === 1, detail: readDb.kind }) },
      { name: 'jobs', check: () => jobs.health() },
      {
        name: 'projections',
        check: async () => {
          const statuses = await projections.status();
          const ok = statuses.every((s) => s.failure === null && s.lag <= config.projectionLagReadyThreshold);
          return { ok, detail: statuses.map(({ name, lag, failure }) => ({ name, lag, failure })) };
        },
      },
    ],
    refreshMetrics: async () => {
      const statuses = await projections.status();
      for (const s of statuses) {
        metrics.projectionLag.set({ projection: s.name }, s.lag);
        metrics.projectionPosition.set({ projection: s.name }, s.position);
      }
      metrics.eventStoreHead.set(statuses[0]?.head ?? (await eventStore.headPosition()));
      for (const q of await jobs.stats()) {
        for (const [state, count] of Object.entries(q.counts)) metrics.jobs.set({ queue: q.queue, state }, count);
      }
    },
  });

  let server: Server | undefined;
  let publicUrl: string | null = null;
  const servesHttp = config.role !== 'worker';
  const works = config.role !== 'api';

  return {
    config,
    container: root,
    eventStore,
    readDb,
    projections,
    jobs,
    logger,
    app,
    routes,
    containers: children,
    publicUrl: () => publicUrl,
    async start() {
      if (config.demoData && (await eventStore.headPosition()) === 0) {
        for (const module of modules) await module.demo?.(children.get(module.name)!);
        logger.info('demo data loaded');
      }
      if (readDb instanceof PgliteDatabase) {
        // PGlite has no autovacuum: the platform analyses and vacuums its tables (first of all a log seeded or
        // imported since the last start, before the projections read it).
        const maintained = await readDb.maintain();
        if (maintained.length > 0) logger.debug({ tables: maintained }, 'embedded database maintained');
        readDb.startMaintenance(PGLITE_MAINTENANCE_INTERVAL_MS, (tables, error) => {
          if (error) logger.error({ err: error }, 'embedded database maintenance failed');
          else if (tables.length > 0) logger.debug({ tables }, 'embedded database maintained');
        });
      }
      if (works) {
        await projections.start();
        await jobs.start();
      }
      if (!servesHttp) return null;
      const tls = config.tls;
      // HTTPS when configured; client certificates are requested but judged per request (mTLS for machine clients).
      const created: Server = tls
        ? createHttpsServer(
            {
              cert: readFileSync(tls.certFile),
              key: readFileSync(tls.keyFile),
              ...(tls.clientCaFile ? { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: false } : {}),
            },
            app,
          )
        : createHttpServer(app);
      server = await new Promise<Server>((resolveServer, reject) => {
        created.once('error', reject);
        created.listen(config.port, config.host, () => resolveServer(created));
      });
      server.keepAliveTimeout = 5_000;
      server.requestTimeout = 30_000;
      const address = server.address();
      const url = typeof address === 'object' && address ? `${tls ? 'https' : 'http'}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}` : null;
      if (url) {
        const port = new URL(url).port;
        publicUrl = config.publicUrl ?? `${tls ? 'https' : 'http'}://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : url.replace(/^http:\/\/|:\d+$/g, '')}:${port}`;
        for (const module of modules) await module.started?.(children.get(module.name)!, { publicUrl });
      }
      logger.info({ url, publicUrl, eventStore: eventStore.name, readStore: readDb.kind, jobs: jobs.name, config: describeConfig(config) }, 'SAS platform started');
      return url;
    },
    async stop() {
      if (shuttingDown) return;
      shuttingDown = true;
      const deadline = config.shutdownTimeoutMs;
      if (server) {
        const closing = new Promise<void>((resolveClose) => server!.close(() => resolveClose()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server?.closeAllConnections(), deadline);
        await closing;
        clearTimeout(timer);
      }
      for (const module of modules) await module.stopped?.(children.get(module.name)!);
      await jobs.close({ timeoutMs: deadline });
      await projections.stop();
      await eventStore.close();
      await readDb.close();
      logger.info('SAS platform stopped');
    },
  };
}

