/**
 * Browser test of the web shell in its anonymous state: the built shell is served by webShellRouter on a bare
 * express app (with the platform's helmet CSP) and no backend, so /api/me answers 404 and the shell shows the
 * login view. Logged-in views are tested against the real platform with the same harness.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import helmet from 'helmet';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webShellRouter } from '../../src/app/web-shell.ts';
import { buildWeb } from '../../web/build.ts';
import { browserAvailable, checkA11y, expectNoA11yViolations, launchBrowser, newPage, screenshot } from '../support/browser.ts';

const runBrowser = browserAvailable() || process.env.CI === 'true';

describe.skipIf(!runBrowser)('web shell in a browser (anonymous)', () => {
  let tmp: string;
  let server: Server | undefined;
  let base: string;
  let browser: Browser | undefined;
  let page: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'sas-web-e2e-'));
    const distDir = path.join(tmp, 'dist');
    await buildWeb({ outDir: distDir });
    const app = express();
    app.use(helmet());
    app.use(webShellRouter(distDir));
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('console', (msg) => {
      if (/Content[- ]Security[- ]Policy/i.test(msg.text())) cspViolations.push(msg.text());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    }
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('shows the login view with the Pro Santé Connect link, without accessibility violations', async () => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { level: 1, name: "Bienvenue sur le Service d'accès aux soins" }).waitFor();
    expect(await page.title()).toBe("Connexion - Service d'accès aux soins");
    expect(await page.getAttribute('html', 'lang')).toBe('fr');

    const psc = page.getByRole('link', { name: "S'identifier avec Pro Santé Connect" });
    expect(await psc.getAttribute('href')).toBe('/auth/login?returnTo=%2F');
    const headerLogin = page.getByRole('banner').getByRole('link', { name: 'Se connecter' });
    expect(await headerLogin.getAttribute('href')).toBe('/auth/login?returnTo=%2F');

    // DSFR header, landmarks and skip links.
    await expect(page.getByRole('banner').getByText("Service d'accès aux soins", { exact: true }).isVisible()).resolves.toBe(true);
    expect(await page.getByRole('main').count()).toBe(1);
    expect(await page.getByRole('contentinfo').count()).toBe(1);
    expect(await page.getByRole('navigation', { name: 'Accès rapide' }).getByRole('link', { name: 'Contenu' }).getAttribute('href')).toBe('#contenu');
    // The DSFR stylesheet and the Marianne font are applied (light DOM rendering).
    const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    expect(font).toContain('Marianne');
    expect(await page.evaluate(() => document.fonts.check('1rem Marianne'))).toBe(true);

    const { report } = await checkA11y(page, 'accueil anonyme');
    console.info(report);
    await expectNoA11yViolations(page, 'accueil anonyme');
    const file = await screenshot(page, 'shell-anonymous');
    console.info(`capture : ${file}`);
  });

  it('keeps the requested path in returnTo', async () => {
    await page.goto(`${base}/comptes`);
    const psc = page.getByRole('link', { name: "S'identifier avec Pro Santé Connect" });
    await psc.waitFor();
    expect(await psc.getAttribute('href')).toBe('/auth/login?returnTo=%2Fcomptes');
  });

  it('shows a French 404 view for unknown paths and navigates back client-side', async () => {
    await page.goto(`${base}/page-qui-n-existe-pas`);
    await page.getByRole('heading', { level: 1, name: 'Page non trouvée' }).waitFor();
    expect(await page.title()).toBe("Page non trouvée - Service d'accès aux soins");
    await expectNoA11yViolations(page, 'page 404');
    const file = await screenshot(page, 'shell-404');
    console.info(`capture : ${file}`);

    await page.evaluate(() => {
      (window as unknown as { marker: boolean }).marker = true;
    });
    await page.getByRole('main').getByRole('link', { name: "Page d'accueil" }).click();
    await page.getByRole('heading', { level: 1, name: "Bienvenue sur le Service d'accès aux soins" }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/');
    // history.pushState, not a reload: the window survived.
    expect(await page.evaluate(() => (window as unknown as { marker?: boolean }).marker)).toBe(true);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Page non trouvée' }).waitFor();
  });

  it('runs under the CSP without errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
