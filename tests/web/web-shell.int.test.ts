import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webShellRouter } from '../../src/app/web-shell.ts';
import { buildWeb } from '../../web/build.ts';

async function serve(distDir: string): Promise<{ server: Server; base: string }> {
  const app = express();
  app.use(webShellRouter(distDir));
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

describe('web shell router', () => {
  let tmp: string;
  let distDir: string;
  let server: Server | undefined;
  let base: string;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sas-web-'));
    // A dot-folder above dist must not matter (checkouts under ~/.cache, .tmp/ …).
    distDir = path.join(tmp, '.cache', 'dist');
    const started = Date.now();
    await buildWeb({ outDir: distDir });
    expect(Date.now() - started).toBeLessThan(15_000);
    ({ server, base } = await serve(distDir));
  });

  afterAll(async () => {
    await close(server);
    await rm(tmp, { recursive: true, force: true });
  });

  it('builds index.html, the bundle and the DSFR assets', () => {
    for (const file of [
      'index.html',
      'assets/app.js',
      'assets/app.js.map',
      'assets/dsfr/dsfr.min.css',
      'assets/dsfr/utility/icons/icons.min.css',
      'assets/dsfr/favicon/favicon.svg',
    ]) {
      expect(existsSync(path.join(distDir, file)), file).toBe(true);
    }
    // Every font and icon the stylesheets reference is shipped.
    const css = readFileSync(path.join(distDir, 'assets/dsfr/dsfr.min.css'), 'utf8');
    const fonts = [...css.matchAll(/url\((fonts\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) expect(existsSync(path.join(distDir, 'assets/dsfr', font)), font).toBe(true);
    const icons = readFileSync(path.join(distDir, 'assets/dsfr/utility/icons/icons.min.css'), 'utf8');
    const iconUrls = [...icons.matchAll(/url\((\.\.\/\.\.\/icons\/[^)]+)\)/g)].map((m) => m[1]!);
    expect(iconUrls.length).toBeGreaterThan(100);
    for (const icon of iconUrls.slice(0, 50)) {
      expect(existsSync(path.resolve(distDir, 'assets/dsfr/utility/icons', icon)), icon).toBe(true);
    }
  });

  it('index.html is French, loads the module bundle and has no inline script or style (CSP)', () => {
    const index = readFileSync(path.join(distDir, 'index.html'), 'utf8');
    expect(index).toContain('<html lang="fr">');
    expect(index).toContain('<script type="module" src="/assets/app.js"></script>');
    expect(index).toContain('href="/assets/dsfr/dsfr.min.css"');
    expect(index).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(index).not.toMatch(/<style|\sstyle=/);
  });

  it('serves index.html without caching for HTML navigations to client routes', async () => {
    for (const route of ['/', '/profil', '/comptes', '/une/page/inconnue', '/apix']) {
      const res = await fetch(`${base}${route}`, { headers: HTML });
      expect(res.status, route).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<sas-app>');
    }
    const head = await fetch(`${base}/profil`, { method: 'HEAD', headers: HTML });
    expect(head.status).toBe(200);
  });

  it('never answers server paths, non-HTML requests or other methods with the shell', async () => {
    for (const route of ['/api', '/api/me', '/auth/login', '/auth', '/dev-idp/auth', '/healthz', '/readyz', '/metrics']) {
      const res = await fetch(`${base}${route}`, { headers: HTML });
      expect(res.status, route).toBe(404);
      expect(await res.text(), route).not.toContain('<sas-app>');
    }
    const json = await fetch(`${base}/profil`, { headers: { accept: 'application/json' } });
    expect(json.status).toBe(404);
    const any = await fetch(`${base}/profil`, { headers: { accept: '*/*' } });
    expect(any.status).toBe(404);
    const post = await fetch(`${base}/profil`, { method: 'POST', headers: HTML });
    expect(post.status).toBe(404);
  });

  it('serves assets with sane cache headers and 404s missing ones', async () => {
    const js = await fetch(`${base}/assets/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect(js.headers.get('cache-control')).toBe('no-cache');
    expect(js.headers.get('etag')).toBeTruthy();
    expect((await js.text()).length).toBeGreaterThan(10_000);

    const css = await fetch(`${base}/assets/dsfr/dsfr.min.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(css.headers.get('cache-control')).toBe('public, max-age=86400');
    await css.arrayBuffer();

    const font = await fetch(`${base}/assets/dsfr/fonts/Marianne-Regular.woff2`);
    expect(font.status).toBe(200);
    expect(font.headers.get('content-type')).toMatch(/font\/woff2/);
    await font.arrayBuffer();

    const missing = await fetch(`${base}/assets/nope.js`, { headers: HTML });
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<sas-app>');
    const traversal = await fetch(`${base}/assets/..%2findex.html`, { headers: HTML });
    expect(traversal.status).not.toBe(200);
    await traversal.arrayBuffer();
  });

  it('answers 503 in French when the shell has not been built', async () => {
    const empty = await serve(path.join(tmp, 'absent'));
    try {
      const page = await fetch(`${empty.base}/`, { headers: HTML });
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm run build:web');
      const asset = await fetch(`${empty.base}/assets/app.js`);
      expect(asset.status).toBe(503);
      expect(await asset.text()).toContain('npm run build:web');
      const api = await fetch(`${empty.base}/api/me`, { headers: HTML });
      expect(api.status).toBe(404);
      await api.arrayBuffer();
    } finally {
      await close(empty.server);
    }
  });
});
