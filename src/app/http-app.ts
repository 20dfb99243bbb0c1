import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { notFoundHandler, problemDetailsMiddleware, requireJsonBody } from '../shared-kernel/http/problem-details.ts';
import { correlationMiddleware } from '../shared-kernel/http/request-context.ts';
import type { Logger } from '../shared-kernel/logging/logger.ts';
import { embeddingMiddlewares } from './embedding.ts';
import type { Metrics } from './metrics.ts';

export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<{ ok: boolean; detail?: unknown }>;
}

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly bodyLimitBytes: number;
  readonly api: Router;
  /** Root-level routes (login, the development identity provider, the web shell). */
  readonly root: Router;
  /** Resolves the principal from the session (identity module); runs on /api, /auth and /sas. */
  readonly authenticate: RequestHandler;
  readonly readiness: readonly ReadinessCheck[];
  /** Refreshes gauges (projection lag, jobs) just before /metrics is scraped. */
  readonly refreshMetrics: () => Promise<void>;
  readonly isShuttingDown: () => boolean;
  /** Web origins allowed to embed <sas-search> (embedding.ts); none by default. */
  readonly embedOrigins?: readonly string[];
}

/** The express 5 application: security headers, size limits, correlation ids, problem details, health and metrics. */
export function createHttpApp(options: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('query parser', 'simple');
  app.use(helmet());
  app.use(correlationMiddleware);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ? `${req.baseUrl}${req.route.path}` : 'unmatched';
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      options.metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      options.metrics.httpDuration.observe({ method: req.method, route }, seconds);
      if (res.statusCode >= 500) options.logger.warn({ method: req.method, path: req.path, status: res.statusCode }, 'request failed');
      else options.logger.debug({ method: req.method, path: req.path, status: res.statusCode, ms: seconds * 1000 }, 'request');
    });
    if (options.isShuttingDown()) res.setHeader('Connection', 'close');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      options.readiness.map(async (r) => {
        try {
          return { name: r.name, ...(await r.check()) };
        } catch (error) {
          return { name: r.name, ok: false, detail: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const ready = !options.isShuttingDown() && results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', shuttingDown: options.isShuttingDown(), checks: results });
  });

  app.get('/metrics', async (_req, res) => {
    await options.refreshMetrics();
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });

  const embedding = embeddingMiddlewares(options.embedOrigins ?? []);
  app.use('/assets', embedding.assets);
  app.use('/api', embedding.api, requireJsonBody, express.json({ limit: options.bodyLimitBytes, strict: true }), options.authenticate, options.api);
  app.use('/auth', options.authenticate);
  // Server-rendered pages that need the session (the LRM contextual search entry, /sas/recherche).
  app.use('/sas', options.authenticate);
  app.use(options.root);
  app.use(notFoundHandler);
  app.use(problemDetailsMiddleware(options.logger));
  return app;
}
