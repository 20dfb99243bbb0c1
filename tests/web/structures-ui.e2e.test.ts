/**
 * The structures screen (<sas-structures>, route /structures) in a real Chromium against the real platform: the demo
 * gestionnaire de structure (Haute-Garonne) opens it from the navigation, creates an SOS Médecins association with
 * its SIRET in Toulouse and sees it listed, meets the server's refusals (a SIRET another structure has: 409; a commune
 * outside its territory: 403), opens the association, changes its phone and SIRET (only those are sent), sees the
 * server's field error for an invalid SIRET next to the field, adds a member by RPPS and removes it with the
 * keyboard; a national administrator lists the structures of a département. Each step is checked against the API;
 * axe checks the list, the forms with errors and the structure's page; screenshots go to test-artifacts/.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { browserAvailable, expectNoA11yViolations, launchBrowser, loginThroughShell, newPage, screenshot } from '../support/browser.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const run = (browserAvailable() || process.env.CI === 'true') && Boolean(testDatabaseUrl);

const NAME = 'SOS Médecins Garonne UI';
const SIRET = '73282932000074';
const NEW_SIRET = '73282932000082';
const RPPS = '10000000009'; // Dr Claire Dubois, the demo effecteur

type Structure = {
  structureId: string;
  kind: string;
  name: string;
  siret: string | null;
  phone: string | null;
  address: { inseeCode: string; postcode: string | null; street: string | null };
  memberCount: number;
};
type StructureDetail = Structure & { members: { rpps: string }[]; canManageMembers: boolean };

describe.skipIf(!run)('the structures screen in a browser', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let manager: LoggedIn; // the same gestionnaire over HTTP, to check what the platform holds
  let structureId: string;
  const pageErrors: string[] = [];

  const screen = () => page.locator('sas-structures');
  const managed = async (): Promise<Structure[]> => {
    const response = await manager.api('/api/directory/structures?managedBy=me&limit=200');
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: Structure[] }).items;
  };
  const structure = async (id: string): Promise<StructureDetail> => {
    const response = await manager.api(`/api/directory/structures/${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as StructureDetail;
  };
  const createForm = () => page.locator('#structure-create-form');
  const editForm = () => page.locator('#structure-edit-form');
  /** Types a commune in an autocomplete and chooses `expected` among the proposals with the keyboard. */
  async function chooseCommune(form: ReturnType<typeof createForm>, text: string, expected: string) {
    const commune = form.getByRole('combobox', { name: /^Commune/ });
    await commune.fill('');
    await commune.pressSequentially(text);
    await expect.poll(() => commune.getAttribute('aria-expanded'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => form.getByRole('option', { name: new RegExp(`^${expected} \\(`) }).count()).toBe(1);
    for (let i = 0; i < 8; i++) {
      await commune.press('ArrowDown');
      const active = await commune.getAttribute('aria-activedescendant');
      if (active && (await page.locator(`[id="${active}"]`).innerText()).startsWith(`${expected} (`)) break;
    }
    await commune.press('Enter');
    expect(await commune.inputValue()).toBe(expected);
    expect(await commune.getAttribute('aria-expanded')).toBe('false');
  }

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    manager = await loginAs(t.url, demoIdentityByRole('gestionnaire-structure').nationalId);
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await loginThroughShell(page, t.url, demoIdentityByRole('gestionnaire-structure').label);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('opens from the navigation: no structure yet, the creation form, axe passes', async () => {
    // The home page points there too.
    expect(await page.getByRole('link', { name: 'Gérer mes structures' }).getAttribute('href')).toBe('/structures');
    await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Structures' }).click();
    await page.waitForURL(`${t.url}/structures`);
    await page.getByRole('heading', { level: 1, name: 'Structures' }).waitFor();
    expect(await page.title()).toBe("Structures - Service d'accès aux soins");
    await expect.poll(() => screen().locator('[data-empty]').count(), { timeout: 10_000 }).toBe(1);
    expect(await screen().locator('[data-empty]').innerText()).toContain('Vous n’êtes gestionnaire d’aucune structure');
    expect(await createForm().getByLabel(/^SIRET/).getAttribute('aria-describedby')).toBe('structure-create-siret-hint');
    expect(await page.locator('#structure-create-siret-hint').innerText()).toMatch(/éditeur d’agenda.*SOS Médecins/s);
    expect(await managed()).toEqual([]);
    await expectNoA11yViolations(page, 'structures (empty list and creation form)');
  });

  it('creates an SOS Médecins association with its SIRET in its territory and sees it listed (the platform has it)', async () => {
    await createForm().getByLabel('Type de structure').selectOption('sos-medecins');
    await createForm().getByLabel(/^Nom de la structure/).fill(NAME);
    await chooseCommune(createForm(), 'toulo', 'Toulouse');
    await createForm().getByLabel(/^Code postal/).fill('31000');
    await createForm().getByLabel(/^Adresse/).fill('12 rue des Lilas');
    await createForm().getByLabel(/^Téléphone/).fill('05 61 00 00 00');
    await createForm().getByLabel(/^SIRET/).fill(SIRET);
    await createForm().getByRole('button', { name: 'Créer la structure' }).click();

    const status = screen().getByRole('status').filter({ hasText: 'a été créée' });
    await status.waitFor({ timeout: 10_000 });
    expect(await status.innerText()).toContain(`La structure « ${NAME} » a été créée.`);
    const row = screen().locator('table[data-structures] tbody tr');
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('31000 Toulouse');
    const cells = (await row.locator('th, td').allInnerTexts()).map((c) => c.trim());
    expect(cells.slice(0, 5)).toEqual([NAME, 'SOS Médecins', '31000 Toulouse', '732 829 320 00074', '0']);
    // the form is empty again
    expect(await createForm().getByLabel(/^Nom de la structure/).inputValue()).toBe('');
    expect(await createForm().getByLabel(/^SIRET/).inputValue()).toBe('');

    const server = await managed();
    expect(server).toEqual([
      expect.objectContaining({
        kind: 'sos-medecins',
        name: NAME,
        siret: SIRET,
        phone: '0561000000',
        address: { inseeCode: '31555', postcode: '31000', street: '12 rue des Lilas' },
        memberCount: 0,
      }),
    ]);
    structureId = server[0]!.structureId;
    expect(await row.getAttribute('data-structure-id')).toBe(structureId);
    await expectNoA11yViolations(page, 'structures list');
    await screenshot(page, 'structures-list');
  });

  it('shows the server’s refusals: a SIRET another structure has (409) and a commune outside its territory (403)', async () => {
    await createForm().getByLabel('Type de structure').selectOption('sos-medecins');
    await createForm().getByLabel(/^Nom de la structure/).fill('SOS Médecins Doublon');
    await chooseCommune(createForm(), 'toulo', 'Toulouse');
    await createForm().getByLabel(/^SIRET/).fill(SIRET);
    await createForm().getByRole('button', { name: 'Créer la structure' }).click();
    const alert = page.locator('#structure-create-error');
    await alert.waitFor({ timeout: 10_000 });
    expect(await screen().getByRole('alert').filter({ has: alert }).count()).toBe(1);
    expect(await alert.innerText()).toContain(`Le SIRET ${SIRET} est déjà celui de la structure « ${NAME} »`);
    expect(await page.locator('#structure-create-siret-error').innerText()).toContain('déjà celui d’une autre structure');
    expect(await createForm().getByLabel(/^SIRET/).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#structure-create-error').evaluate((el) => el === document.activeElement)).toBe(true);
    await expectNoA11yViolations(page, 'structures creation form refused (409)');

    // the same association in Lyon: outside the gestionnaire's territory (31)
    await createForm().getByLabel(/^SIRET/).fill('');
    await chooseCommune(createForm(), 'Lyon', 'Lyon');
    await createForm().getByRole('button', { name: 'Créer la structure' }).click();
    await expect.poll(() => alert.innerText(), { timeout: 10_000 }).toContain('Vous ne pouvez créer une structure que dans vos territoires (31)');
    expect(await createForm().getByLabel(/^SIRET/).getAttribute('aria-invalid')).toBe('false');
    // the input is kept for a correction
    expect(await createForm().getByLabel(/^Nom de la structure/).inputValue()).toBe('SOS Médecins Doublon');

    expect((await managed()).map((s) => s.name)).toEqual([NAME]);
  });

  it('opens the structure: its details, an edit form; axe passes', async () => {
    await screen().getByRole('button', { name: `Gérer la structure ${NAME}` }).click();
    await page.waitForURL(`${t.url}/structures?id=${structureId}`);
    const title = page.getByRole('heading', { level: 2, name: NAME });
    await title.waitFor({ timeout: 10_000 });
    await expect.poll(() => title.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await screen().locator('[data-summary]').innerText()).toContain('SIRET : 732 829 320 00074');
    expect(await screen().locator('[data-summary]').innerText()).toContain('12 rue des Lilas, 31000 Toulouse');
    expect(await editForm().getByLabel(/^Nom de la structure/).inputValue()).toBe(NAME);
    expect(await editForm().getByRole('combobox', { name: /^Commune/ }).inputValue()).toBe('Toulouse');
    expect(await editForm().getByLabel(/^Téléphone/).inputValue()).toBe('05 61 00 00 00');
    expect(await editForm().getByLabel(/^SIRET/).inputValue()).toBe(SIRET);
    await expectNoA11yViolations(page, 'structure page');
  });

  it('changes the phone and the SIRET: only those are sent, the platform has them', async () => {
    await editForm().getByLabel(/^Téléphone/).fill('04 72 00 00 00');
    await editForm().getByLabel(/^SIRET/).fill(NEW_SIRET);
    const patch = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().endsWith(`/api/directory/structures/${structureId}`));
    await editForm().getByRole('button', { name: 'Enregistrer les modifications' }).click();
    expect((await patch).postDataJSON()).toEqual({ phone: '04 72 00 00 00', siret: NEW_SIRET });
    const status = screen().getByRole('status').filter({ hasText: 'enregistrées' });
    await status.waitFor({ timeout: 10_000 });
    expect(await status.innerText()).toContain('Les informations de la structure ont été enregistrées.');
    expect(await screen().locator('[data-summary]').innerText()).toContain('SIRET : 732 829 320 00082');
    expect(await screen().locator('[data-summary]').innerText()).toContain('Téléphone : 04 72 00 00 00');

    const server = await structure(structureId);
    expect(server).toEqual(
      expect.objectContaining({ name: NAME, siret: NEW_SIRET, phone: '0472000000', address: { inseeCode: '31555', postcode: '31000', street: '12 rue des Lilas' } }),
    );
  });

  it('an invalid SIRET gets the server’s field error next to the field; nothing changes', async () => {
    await editForm().getByLabel(/^SIRET/).fill('123');
    await editForm().getByRole('button', { name: 'Enregistrer les modifications' }).click();
    const error = page.locator('#structure-edit-siret-error');
    await error.waitFor({ timeout: 10_000 });
    // the server's message (zod's, in structures.routes.ts), not a check of the browser's
    expect(await error.innerText()).toBe('attendu : un SIRET de 14 chiffres avec une clé de contrôle valide');
    const siret = editForm().getByLabel(/^SIRET/);
    expect(await siret.getAttribute('aria-invalid')).toBe('true');
    expect((await siret.getAttribute('aria-describedby'))?.split(' ')).toContain('structure-edit-siret-error');
    expect(await page.locator('.fr-input-group:has(#structure-edit-siret)').getAttribute('class')).toContain('fr-input-group--error');
    expect(await siret.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await screen().getByRole('alert').filter({ hasText: 'Corrigez les champs signalés' }).count()).toBe(1);
    // the other fields are not in error
    expect(await editForm().getByLabel(/^Téléphone/).getAttribute('aria-invalid')).toBe('false');
    await expectNoA11yViolations(page, 'structure edit form with a field error');
    await screenshot(page, 'structure-edit-error');
    expect((await structure(structureId)).siret).toBe(NEW_SIRET);

    await editForm().getByRole('button', { name: 'Annuler les changements' }).click();
    expect(await siret.inputValue()).toBe(NEW_SIRET);
    expect(await page.locator('#structure-edit-siret-error').count()).toBe(0);
  });

  it('adds a member by RPPS and removes it, with the keyboard; each result is announced', async () => {
    const members = screen().locator('table[data-members] tbody tr');
    expect(await members.count()).toBe(0);
    const rpps = page.getByRole('textbox', { name: /^Ajouter un membre : numéro RPPS/ });
    await rpps.focus();
    await page.keyboard.type(RPPS);
    await page.keyboard.press('Enter');
    const status = screen().getByRole('status').filter({ hasText: 'ajouté aux membres' });
    await status.waitFor({ timeout: 10_000 });
    expect(await status.innerText()).toContain(`RPPS ${RPPS}`);
    expect(await members.count()).toBe(1);
    expect(await members.first().getAttribute('data-member')).toBe(RPPS);
    expect(await rpps.inputValue()).toBe('');
    expect((await structure(structureId)).members.map((m) => m.rpps)).toEqual([RPPS]);
    await expectNoA11yViolations(page, 'structure page with a member');

    const remove = members.first().getByRole('button', { name: new RegExp(`^Retirer .*RPPS ${RPPS}`) });
    await remove.focus();
    await page.keyboard.press('Enter');
    const removed = screen().getByRole('status').filter({ hasText: 'retiré des membres' });
    await removed.waitFor({ timeout: 10_000 });
    expect(await members.count()).toBe(0);
    expect(await page.locator('#structure-members-title').evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await structure(structureId)).members).toEqual([]);

    // an RPPS with a wrong key is refused next to the field, and nothing is sent
    await rpps.fill('10000000008');
    await page.keyboard.press('Enter');
    expect(await page.locator('#structure-member-rpps-error').innerText()).toContain('11 chiffres');
    expect(await rpps.getAttribute('aria-invalid')).toBe('true');
    expect((await structure(structureId)).members).toEqual([]);
  });

  it('goes back to the list, which shows the changes; focus returns to the structure’s button', async () => {
    await screen().getByRole('button', { name: 'Retour à la liste des structures' }).click();
    await page.waitForURL(`${t.url}/structures`);
    const row = screen().locator(`tr[data-structure-id="${structureId}"]`);
    await expect.poll(() => row.innerText(), { timeout: 10_000 }).toContain('732 829 320 00082');
    const open = row.getByRole('button', { name: `Gérer la structure ${NAME}` });
    await expect.poll(() => open.evaluate((el) => el === document.activeElement)).toBe(true);
    // the browser's Back shows the structure again, Forward the list
    await page.goBack();
    await page.getByRole('heading', { level: 2, name: NAME }).waitFor({ timeout: 10_000 });
    expect(await row.count()).toBe(0);
    await page.goForward();
    await row.waitFor({ timeout: 10_000 });
    // from a structure, the navigation's link leads to the list
    await open.click();
    await page.getByRole('heading', { level: 2, name: NAME }).waitFor({ timeout: 10_000 });
    await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Structures' }).click();
    await page.waitForURL(`${t.url}/structures`);
    await row.waitFor({ timeout: 10_000 });
    expect(await page.getByRole('heading', { level: 2, name: NAME }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('a national administrator lists the structures of a département; a regulator has no such page', async () => {
    const admin = await newPage(browser);
    admin.on('pageerror', (error) => pageErrors.push(error.message));
    await loginThroughShell(admin, t.url, demoIdentityByRole('admin-national').label);
    await admin.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Structures' }).click();
    await admin.waitForURL(`${t.url}/structures`);
    const adminScreen = admin.locator('sas-structures');
    await expect.poll(() => adminScreen.locator('[data-empty]').innerText(), { timeout: 10_000 }).toContain('choisissez un département');
    await admin.getByRole('textbox', { name: /^Département/ }).fill('31');
    await admin.getByRole('button', { name: 'Afficher les structures' }).click();
    await admin.getByRole('heading', { level: 2, name: 'Structures du département 31' }).waitFor();
    await expect.poll(() => adminScreen.locator(`tr[data-structure-id="${structureId}"]`).count(), { timeout: 10_000 }).toBe(1);
    await expectNoA11yViolations(admin, 'structures of a département (administrator)');
    await admin.context().close();

    const regulator = await newPage(browser);
    await loginThroughShell(regulator, t.url, demoIdentityByRole('regulateur-osnp').label);
    expect(await regulator.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Structures' }).count()).toBe(0);
    await regulator.goto(`${t.url}/structures`);
    await regulator.getByRole('heading', { level: 1, name: 'Accès refusé' }).waitFor();
    expect(await regulator.locator('main').innerText()).toContain('réservée aux gestionnaires de structure');
    await regulator.context().close();
    expect(pageErrors).toEqual([]);
  });
});
