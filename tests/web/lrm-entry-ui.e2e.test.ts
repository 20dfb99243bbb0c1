/**
 * The LRM contextual search entry (/sas/recherche) in a real Chromium: a regulator not yet logged in follows an
 * LRM link, logs in through the development provider, lands on the search page searching around the patient's
 * point (lat/lon, never the address) with the "médecin traitant non identifié" notice; an address without street
 * lands on the home page with its alert; an unknown origin shows the "flux disabled" page. axe checks each page.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotStreamName } from '../../src/modules/availability/contracts/availability.events.ts';
import { practitionerStreamName } from '../../src/modules/directory/contracts/directory.events.ts';
import { DIRECTORY } from '../../src/modules/directory/directory.tokens.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { browserAvailable, expectNoA11yViolations, launchBrowser, newPage } from '../support/browser.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const run = (browserAvailable() || process.env.CI === 'true') && Boolean(testDatabaseUrl);

const RPPS = '19000000315'; // Luhn-valid, fictitious
const STREET = 'Allée des Mimosas Cachés';

describe.skipIf(!run)('the LRM entry in a browser', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const searches: URL[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    const deps = t.platform.containers.get('directory')!.get(DIRECTORY.deps);
    await deps.practitioners.handle(
      practitionerStreamName(RPPS),
      {
        type: 'SyncPractitioner',
        snapshot: {
          identity: { rpps: RPPS, nationalId: `8${RPPS}`, civility: 'DR', givenName: 'Alex', familyName: 'Mimosa', professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM54', specialtyLabel: 'Médecine générale' },
          locations: [{ locationId: `loc-${RPPS}`, structureName: 'Cabinet', siret: null, finessSite: null, streetNumber: '1', streetName: 'Rue du Test', postcode: '31000', communeName: null, inseeCode: '31555', phone: '05 61 00 00 00', modeExercice: 'L', secteurActivite: null }],
        },
      },
      { actor: { accountId: 'test', role: 'system' }, correlationId: randomUUID(), now: new Date() },
    );
    const slotId = randomUUID();
    const start = Date.now() + 2 * 3_600_000;
    await t.platform.eventStore.appendToStream(
      slotStreamName(slotId),
      [
        {
          type: 'SlotPublished',
          data: { slotId, effecteurId: RPPS, start: new Date(start).toISOString(), end: new Date(start + 1_200_000).toISOString(), consultationTypes: ['cabinet'], source: 'manual' },
          metadata: { eventId: randomUUID(), correlationId: randomUUID(), causationId: null, actor: { accountId: 'test', role: 'system' }, occurredAt: new Date().toISOString(), schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'no-stream' },
    );
    // The page searches once: the search read model must have the slot (appended last) before the test opens it.
    await eventually(async () => (await t.platform.readDb.query('SELECT 1 FROM search_slots WHERE slot_id = $1', [slotId])).rows.length === 1);
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/search') searches.push(url);
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('logs in, then searches around the patient point with the "médecin traitant non identifié" notice', async () => {
    const params = new URLSearchParams({ origin: 'TEST-SAMU000', practitioner: 'Dr Inconnu', specialty: 'urn:oid:1.2.250.1.213.2.28|SM54', streetnumber: '4', streetname: STREET, inseecode: '31555' });
    await page.goto(`${t.url}/sas/recherche?${params}`);
    await page.waitForURL(/\/dev-idp\/interaction\//);
    await page.getByRole('button', { name: demoIdentityByRole('regulateur-osnp').label }).click();
    await page.waitForURL(/\/recherche\?/);
    const landed = new URL(page.url());
    expect(landed.searchParams.get('lrm')).toBe('1');
    expect(page.url()).not.toContain('Mimosas');
    await expect.poll(() => page.locator('[data-notice="mt-non-identifie"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.locator('[data-notice="mt-non-identifie"]').innerText()).toContain('Médecin traitant non identifié');
    // The seeded GP with a slot (and, with the demo directory, others around Toulouse) come back.
    await eventually(async () => (await page.locator('sas-search li[data-rpps]').count()) > 0, 20_000);
    const search = searches.at(-1)!;
    expect(search.searchParams.get('lat')).toBe('43.601');
    expect(search.searchParams.get('lon')).toBe('1.433');
    expect(search.searchParams.get('around')).toBeNull();
    expect(search.searchParams.get('filiere')).toBe('medecine-generale');
    expect(await page.getByRole('combobox', { name: /Commune du patient/ }).inputValue()).toBe('Toulouse');
    await expectNoA11yViolations(page, 'lrm-search');
  });

  it('a number without street: the home page with its alert', async () => {
    await page.goto(`${t.url}/sas/recherche?origin=TEST-SAMU000&streetnumber=12&inseecode=31555`);
    await page.waitForURL(`${t.url}/?message=adresse-introuvable`);
    const alert = page.locator('[data-message="adresse-introuvable"]');
    await expect.poll(() => alert.count(), { timeout: 10_000 }).toBe(1);
    expect(await alert.innerText()).toContain('Adresse du patient introuvable');
    await expectNoA11yViolations(page, 'lrm-home-message');
  });

  it('an unknown origin: the "flux disabled" page', async () => {
    const response = await page.goto(`${t.url}/sas/recherche?origin=samu-inconnu&inseecode=31555`);
    expect(response?.status()).toBe(403);
    expect(await page.getByRole('alert').innerText()).toContain('Le flux LRM vers la plateforme SAS est désactivé');
    await expectNoA11yViolations(page, 'lrm-flux-disabled');
  });

  it('raised no script error', () => {
    expect(pageErrors).toEqual([]);
  });
});
