/**
 * <sas-search> embedded in an LRM page of another origin with one script tag (`/assets/sas-search.js`), in a real
 * Chromium: the page of an origin listed in EMBED_ORIGINS shows the regulator's results (read across origins with
 * the session), in the platform's DSFR styles and fonts, and hears `sas-slot-selected`; the page of an origin not
 * listed gets nothing; the API gives CORS headers to listed origins' reads only; without a session, the component
 * says so and links to the platform's login.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotStreamName } from '../../src/modules/availability/contracts/availability.events.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { browserAvailable, expectNoA11yViolations, launchBrowser, loginThroughShell, newPage, screenshot } from '../support/browser.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { publishSlot, registerPractitioner, testMetadata, testRpps } from '../support/search-fixtures.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const run = (browserAvailable() || process.env.CI === 'true') && Boolean(testDatabaseUrl);

/** An LRM's page (another origin): its own heading, the platform's script, the component, a listener. */
async function lrmPage(platformUrl: () => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    if (req.url !== '/') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>LRM — dossier de régulation</title></head>
<body><main>
  <h1>Dossier de régulation</h1>
  <script>window.selected = []; document.addEventListener('sas-slot-selected', (e) => window.selected.push(e.detail));</script>
  <script type="module" src="${platformUrl()}/assets/sas-search.js"></script>
  <sas-search inseecode="31555" city="Toulouse"></sas-search>
</main></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!run)('<sas-search> embedded in an LRM page of another origin', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let lrm: { server: Server; origin: string };
  let foreign: { server: Server; origin: string };
  const pageErrors: string[] = [];
  const RPPS = testRpps(61);
  let slotId: string;
  const endToEnd = randomUUID();

  beforeAll(async () => {
    lrm = await lrmPage(() => t.url);
    foreign = await lrmPage(() => t.url);
    t = await startTestPlatform({ env: { DEMO_DATA: 'true', EMBED_ORIGINS: lrm.origin } });
    await registerPractitioner(t, { rpps: RPPS, familyName: 'Embarquée', inseeCode: '31555', postcode: '31000' });
    slotId = await publishSlot(t, RPPS, Date.now(), 2, 'manual');
    const start = Date.now() + 4 * 3_600_000;
    await t.platform.eventStore.appendToStream(slotStreamName(endToEnd), [
      {
        type: 'SlotPublished',
        data: { slotId: endToEnd, effecteurId: RPPS, start: new Date(start).toISOString(), end: new Date(start + 900_000).toISOString(), consultationTypes: ['cabinet'], source: 'vendor', bookingMode: 'end-to-end' },
        metadata: testMetadata(),
      },
    ]);
    // The page searches once: the search read model must have both slots before a test opens it.
    await eventually(async () => (await t.platform.readDb.query('SELECT 1 FROM search_slots WHERE slot_id = ANY($1::text[])', [[slotId, endToEnd]])).rows.length === 2);
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await loginThroughShell(page, t.url, demoIdentityByRole('regulateur-osnp').label);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
    for (const s of [lrm?.server, foreign?.server]) await new Promise((resolve) => (s ? s.close(resolve) : resolve(undefined)));
  });

  it('shows the regulator’s results in the LRM page, in the platform’s styles, and tells the page the slot chosen', async () => {
    await page.goto(`${lrm.origin}/`);
    const card = page.locator(`sas-search li[data-rpps="${RPPS}"]`);
    await expect.poll(() => card.count(), { timeout: 15_000 }).toBe(1);
    // The platform's DSFR stylesheet and its fonts (cross-origin: CORS on /assets) apply to the page.
    expect(await page.locator(`link[rel="stylesheet"][href="${t.url}/assets/dsfr/dsfr.min.css"]`).count()).toBe(1);
    expect(await page.evaluate(() => getComputedStyle(document.body).fontFamily)).toContain('Marianne');
    await expect
      .poll(() => page.evaluate(async () => (await document.fonts.ready, [...document.fonts].some((f) => f.family.includes('Marianne') && f.status === 'loaded'))), { timeout: 10_000 })
      .toBe(true);
    // A vendor's booking link leads to the platform, not to the LRM's origin.
    expect(await card.locator(`a[data-vendor-booking="${endToEnd}"]`).getAttribute('href')).toBe(`${t.url}/api/slots/${endToEnd}/vendor-booking`);
    await card.locator(`button[data-slot-id="${slotId}"]`).click();
    await expect.poll(() => page.evaluate(() => (window as unknown as { selected: { rpps: string; slotId: string }[] }).selected.length)).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { selected: unknown[] }).selected[0])).toMatchObject({ rpps: RPPS, slotId });
    await screenshot(page, 'embedded-search');
    await expectNoA11yViolations(page, 'embedded-search');
    expect(pageErrors).toEqual([]);
  });

  it('gives nothing to a page of an origin not listed', async () => {
    const other = await newPage(browser);
    const errors: string[] = [];
    other.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    // Same browser session (the cookie is the platform's), another origin: the module script itself is refused.
    await other.context().addCookies(await page.context().cookies());
    await other.goto(`${foreign.origin}/`);
    await expect.poll(() => errors.some((e) => /CORS|blocked/i.test(e)), { timeout: 10_000 }).toBe(true);
    expect(await other.evaluate(() => customElements.get('sas-search') === undefined)).toBe(true);
    await other.context().close();
  });

  it('answers the API’s reads of listed origins only, with credentials, and never opens its writes', async () => {
    const get = (origin: string) => fetch(`${t.url}/api/search?departement=31`, { headers: { origin } });
    const listed = await get(lrm.origin);
    expect(listed.status).toBe(401); // no session here: CORS is no authentication
    expect(listed.headers.get('access-control-allow-origin')).toBe(lrm.origin);
    expect(listed.headers.get('access-control-allow-credentials')).toBe('true');
    expect(listed.headers.get('vary')).toMatch(/Origin/);
    const other = await get(foreign.origin);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = (origin: string, method: string) =>
      fetch(`${t.url}/api/search`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method } });
    const readPreflight = await preflight(lrm.origin, 'GET');
    expect(readPreflight.status).toBe(204);
    expect(readPreflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
    for (const response of [await preflight(lrm.origin, 'POST'), await preflight(foreign.origin, 'GET')]) {
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    const write = await fetch(`${t.url}/api/directory/structures`, { method: 'POST', headers: { origin: lrm.origin, 'content-type': 'application/json' }, body: '{}' });
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
    const script = await fetch(`${t.url}/assets/sas-search.js`, { headers: { origin: lrm.origin } });
    expect(script.status).toBe(200);
    expect(script.headers.get('access-control-allow-origin')).toBe(lrm.origin);
    expect(script.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await fetch(`${t.url}/assets/sas-search.js`, { headers: { origin: foreign.origin } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('without a session, says so and links to the platform’s login', async () => {
    const anonymous = await newPage(browser);
    await anonymous.goto(`${lrm.origin}/`);
    const alert = anonymous.locator('sas-search [role="alert"]');
    await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(1);
    const login = alert.getByRole('link', { name: /Se connecter au SAS/ });
    expect(await login.getAttribute('href')).toBe(`${t.url}/auth/login?returnTo=%2Frecherche`);
    await expectNoA11yViolations(anonymous, 'embedded-search-anonymous');
    await anonymous.context().close();
  });
});
