/**
 * The whole platform in a real Chromium: a demo regulator logs in through the development provider
 * (authorization code + PKCE), lands on its home and logs out here and at the provider; a gestionnaire de
 * comptes creates and deactivates an account on the account screen; a new OSNP links its first login; the
 * effecteur sees its slots. axe checks every shell page on the way; screenshots go to test-artifacts/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { browserAvailable, expectNoA11yViolations, launchBrowser, loginThroughShell, newPage, screenshot } from '../support/browser.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const run = (browserAvailable() || process.env.CI === 'true') && Boolean(testDatabaseUrl);

describe.skipIf(!run)('the platform in a browser', () => {
  let t: TestPlatform;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  async function fresh(): Promise<Page> {
    const page = await newPage(browser);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return page;
  }

  const login = (page: Page, label: string) => loginThroughShell(page, t.url, label);

  it('logs a demo regulator in with code + PKCE, shows its home, and logs out here and at the provider', async () => {
    const page = await fresh();
    await page.goto(`${t.url}/`);
    await expectNoA11yViolations(page, 'login view');
    const regulator = demoIdentityByRole('regulateur-osnp');
    await login(page, regulator.label);
    await expect.poll(() => page.locator('header').textContent()).toContain(`${regulator.givenName} ${regulator.familyName}`);
    await expect.poll(() => page.locator('header').textContent()).toContain('Régulateur / OSNP');
    await expect.poll(() => page.getByText('Rechercher un professionnel de santé').count()).toBeGreaterThan(0);
    await expectNoA11yViolations(page, 'regulator home');
    await screenshot(page, 'regulator-home');

    await page.getByRole('link', { name: 'Mon profil' }).first().click();
    await page.waitForURL(`${t.url}/profil`);
    await expect.poll(() => page.locator('main').innerText()).toContain(regulator.nationalId);
    await expectNoA11yViolations(page, 'profile');

    await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
    await page.waitForURL(/\/dev-idp\//);
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(`${t.url}/?deconnecte=1`);
    expect((await page.request.get(`${t.url}/api/me`)).status()).toBe(401);
    // The provider's session ended too: logging in again shows its login page.
    await page.getByRole('link', { name: /S'identifier avec Pro Santé Connect/ }).click();
    await page.waitForURL(/\/dev-idp\/interaction\//);
    await expect.poll(() => page.getByRole('button', { name: regulator.label }).count()).toBe(1);
    await page.context().close();
  });

  it('lets a gestionnaire de comptes create and deactivate a regulator account of its territory', async () => {
    const page = await fresh();
    await login(page, demoIdentityByRole('gestionnaire-comptes').label);
    await page.getByRole('link', { name: /Gestion des comptes|Gérer les comptes/ }).first().click();
    await page.waitForURL(`${t.url}/comptes`);
    await expect.poll(() => page.locator('table').count()).toBeGreaterThan(0);
    await expectNoA11yViolations(page, 'accounts');
    await page.getByLabel('Prénom').fill('Inès');
    await page.getByLabel('Nom', { exact: true }).fill('Navarro');
    await page.getByLabel(/Adresse e-mail professionnelle/).fill('ines.navarro@chu-toulouse.invalid');
    await page.getByRole('button', { name: 'Créer le compte' }).click();
    await expect.poll(() => page.locator('table').innerText(), { timeout: 10_000 }).toContain('Navarro');
    await screenshot(page, 'accounts');
    await page.getByRole('button', { name: 'Désactiver le compte de Inès Navarro' }).click();
    await page.getByRole('button', { name: 'Confirmer la désactivation' }).click();
    await expect.poll(async () => (await page.locator('tr', { hasText: 'Navarro' }).innerText()).toLowerCase(), { timeout: 10_000 }).toContain('désactivé');
    await expectNoA11yViolations(page, 'accounts after deactivation');
    await page.context().close();
  });

  it('links a new OSNP’s first login to the account created for it', async () => {
    const page = await fresh();
    const osnp = demoIdentityByRole('nouvelle-osnp');
    await login(page, osnp.label);
    await expect.poll(() => page.getByText('Finaliser la création de votre compte').count()).toBeGreaterThan(0);
    await expectNoA11yViolations(page, 'first-login form');
    // Prefilled from the Pro Santé Connect claims.
    expect(await page.getByLabel('Prénom').inputValue()).toBe(osnp.givenName);
    expect(await page.getByLabel(/Adresse e-mail professionnelle/).inputValue()).toBe(osnp.email);
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByRole('button', { name: 'Confirmer la création' }).click();
    await expect.poll(() => page.locator('header').textContent(), { timeout: 10_000 }).toContain('Régulateur / OSNP');
    await page.context().close();
  });

  it('shows the effecteur its upcoming slots', async () => {
    const page = await fresh();
    await login(page, demoIdentityByRole('effecteur').label);
    await expect.poll(() => page.locator('main table tbody tr').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expectNoA11yViolations(page, 'effecteur home');
    await screenshot(page, 'effecteur-home');
    await page.context().close();
  });

  it('raised no script error on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
