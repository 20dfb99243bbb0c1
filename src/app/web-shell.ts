import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Request, type Response, type Router } from 'express';

/** Paths the platform answers itself: the SPA fallback never shadows them. */
const SERVER_PREFIXES = ['/api', '/auth', '/dev-idp', '/healthz', '/readyz', '/metrics', '/assets'];

/** esbuild-style content hash in a file name (app-4F2XK3QZ.js): such files never change. */
const HASHED = /-(?=[A-Z0-9]*[0-9])[A-Z0-9]{8}\.[a-z0-9]+(?:\.map)?$/;

const MISSING_BUILD = "L'interface web n'est pas construite : lancez « npm run build:web » puis rechargez la page.";

function isServerPath(p: string): boolean {
  return SERVER_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));
}

function wantsHtml(req: Request): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes('text/html');
}

function missingBuild(res: Response): void {
  res.status(503).set('cache-control', 'no-store').type('text/plain; charset=utf-8').send(MISSING_BUILD);
}

/**
 * Serves the built web shell from `distDir` (see web/build.ts): /assets/* with cache headers and index.html
 * (no-cache) for HTML navigations to any path the server does not answer itself (client-side routes).
 */
export function webShellRouter(distDir: string): Router {
  const router = express.Router();
  const root = path.resolve(distDir);
  const indexFile = path.join(root, 'index.html');
  const assetsDir = path.resolve(distDir, 'assets');
  const built = (): boolean => existsSync(indexFile);

  router.use('/assets', (_req, res, next) => {
    if (!built()) {
      missingBuild(res);
      return;
    }
    next();
  });
  router.use(
    '/assets',
    express.static(assetsDir, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      fallthrough: true,
      setHeaders(res, filePath) {
        const name = path.basename(filePath);
        if (HASHED.test(name)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        else if (filePath.startsWith(path.join(assetsDir, 'dsfr') + path.sep)) res.setHeader('cache-control', 'public, max-age=86400');
        else res.setHeader('cache-control', 'no-cache');
      },
    }),
  );

  router.get(/.*/, (req, res, next) => {
    if (isServerPath(req.path) || !wantsHtml(req)) {
      next();
      return;
    }
    if (!built()) {
      missingBuild(res);
      return;
    }
    // `root` keeps send's dot-file rule off the folders above dist (e.g. a checkout under ~/.cache).
    res.sendFile('index.html', { root, headers: { 'cache-control': 'no-cache' } }, (error) => {
      if (error) next(error);
    });
  });
  return router;
}
