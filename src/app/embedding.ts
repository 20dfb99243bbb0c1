/**
 * Embedding <sas-search> in an LRM page of another origin, with one script tag (`/assets/sas-search.js`): the
 * component loads its styles and fonts from /assets and reads the API with the regulator's session cookie. The
 * origins of `EMBED_ORIGINS` (and only those) get:
 * - on /assets: `Access-Control-Allow-Origin` (a module script, its fonts) and a cross-origin resource policy (a
 *   stylesheet; helmet's default is same-origin). The assets are public: no credentials there.
 * - on /api: CORS with credentials for safe reads (GET, HEAD) and their preflight. Writes stay same-origin: no
 *   CORS header is ever given for them, and they need the session's CSRF token anyway.
 */
import type { RequestHandler } from 'express';

const SAFE = new Set(['GET', 'HEAD']);

const allowedOrigin = (origins: ReadonlySet<string>, header: string | undefined): string | null =>
  header !== undefined && origins.has(header) ? header : null;

export interface EmbeddingMiddlewares {
  readonly assets: RequestHandler;
  readonly api: RequestHandler;
}

export function embeddingMiddlewares(embedOrigins: readonly string[]): EmbeddingMiddlewares {
  const origins = new Set(embedOrigins);
  const assets: RequestHandler = (req, res, next) => {
    res.vary('Origin');
    const origin = allowedOrigin(origins, req.headers.origin);
    if (origins.size > 0) res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (origin) res.setHeader('Access-Control-Allow-Origin', origin);
    next();
  };
  const api: RequestHandler = (req, res, next) => {
    res.vary('Origin');
    const origin = allowedOrigin(origins, req.headers.origin);
    if (!origin) return next();
    if (req.method === 'OPTIONS') {
      const wanted = String(req.headers['access-control-request-method'] ?? '').toUpperCase();
      if (!SAFE.has(wanted)) return next();
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
      res.setHeader('Access-Control-Allow-Headers', 'accept');
      res.setHeader('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    if (SAFE.has(req.method)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    next();
  };
  return { assets, api };
}
