/**
 * The agenda screen (<sas-agenda>, route /agenda) in a real Chromium against the real platform: the demo effecteur
 * creates a slot and a weekly series through the dialogs and sees them in the week, edits one occurrence, deletes
 * the series, meets the server's overlap refusal in the dialog (its input kept), declares and removes an
 * unavailability, sees an occurrence booked through the booking API locked, and creates a slot with the keyboard
 * only; a délégataire opens the same agenda by RPPS, a gestionnaire de structure through its structure's members.
 * axe checks the week view and the open dialogs; screenshots go to test-artifacts/.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { addParisDays, parisLocalDate } from '../../src/shared-kernel/time/paris-time.ts';
import { browserAvailable, expectNoA11yViolations, launchBrowser, loginThroughShell, newPage, screenshot } from '../support/browser.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const run = (browserAvailable() || process.env.CI === 'true') && Boolean(testDatabaseUrl);

const RPPS = '10000000009'; // Dr Claire Dubois, the demo effecteur

/** Civil-date arithmetic on UTC midnights. */
const plus = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const today = parisLocalDate(addParisDays(new Date(), 0));
const thisMonday = plus(today, -((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7));
/** Monday of the week `n` weeks ahead. */
const monday = (n: number) => plus(thisMonday, 7 * n);

type WeekView = {
  occurrences: { occurrenceId: string; seriesId: string | null; date: string; startTime: string; endTime: string; slotId: string; booked: boolean; capacity: number }[];
  series: { seriesId: string; weekdays: string[]; until: string }[];
  unavailabilities: { periodId: string; fromDate: string; toDate: string }[];
};

describe.skipIf(!run)('the agenda screen in a browser', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let api: LoggedIn; // the same effecteur over HTTP, to check what the server holds
  let regulator: LoggedIn;
  const pageErrors: string[] = [];

  const agenda = () => page.locator('sas-agenda');
  const day = (date: string) => page.locator(`sas-agenda ul[data-date="${date}"]`);
  const occurrences = (date: string) => day(date).locator('li');
  const dialog = (name: string | RegExp) => page.getByRole('dialog', { name });
  const week = async (from: string, days = 21): Promise<WeekView> => {
    const response = await api.api(`/api/agendas/${RPPS}?from=${from}&days=${days}`);
    expect(response.status).toBe(200);
    return (await response.json()) as WeekView;
  };
  const loaded = () => expect.poll(() => agenda().locator('section.sas-agenda').getAttribute('aria-busy'), { timeout: 10_000 }).toBe('false');
  /** Navigates to the week of `target` (a Monday) with the toolbar's buttons. */
  async function showWeek(target: string) {
    await page.getByRole('button', { name: 'Aujourd’hui' }).click();
    await loaded();
    for (let w = 0; plus(thisMonday, 7 * w) < target; w++) {
      await page.getByRole('button', { name: 'Semaine suivante' }).click();
      await loaded();
    }
    await expect.poll(() => day(target).count()).toBe(1);
  }
  /** Clicks the label of a DSFR checkbox or radio (the input itself is drawn by its label). */
  async function tick(box: Locator) {
    const id = await box.getAttribute('id');
    await page.locator(`label[for="${id}"]`).click();
  }
  async function fillAvailability(d: Locator, f: { date?: string; start: string; end: string }) {
    if (f.date) await d.getByLabel(/^Date/).fill(f.date);
    await d.getByLabel(/^Heure de début/).fill(f.start);
    await d.getByLabel(/^Heure de fin/).fill(f.end);
  }

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    api = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await loginThroughShell(page, t.url, demoIdentityByRole('effecteur').label);
    await page.getByRole('link', { name: 'Mon agenda' }).first().click();
    await page.waitForURL(`${t.url}/agenda`);
    await page.getByRole('heading', { level: 1, name: 'Mon agenda' }).waitFor();
    await eventually(async () => (await agenda().locator('section.sas-agenda').getAttribute('aria-busy')) === 'false');
  }, 120_000);
  afterEach(async () => {
    // a failed test leaves no dialog open over the next one
    if (await page?.locator('sas-agenda dialog[open]').count()) await page.keyboard.press('Escape');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('shows the week Monday → Sunday with hour rows, and passes axe', async () => {
    const dates = await page.locator('sas-agenda ul[data-date]').evaluateAll((els) => els.map((e) => e.getAttribute('data-date')));
    expect(dates).toEqual(Array.from({ length: 7 }, (_, i) => plus(thisMonday, i)));
    expect(await page.locator('sas-agenda .sas-agenda__hour').first().innerText()).toBe('08:00');
    expect(await page.getByRole('heading', { level: 3 }).filter({ hasText: 'aujourd’hui' }).count()).toBe(1);
    await expectNoA11yViolations(page, 'agenda week (empty)');
  });

  it('creates a slot through the dialog and sees it in the week (and the server has it)', async () => {
    const tuesday = plus(monday(1), 1);
    await showWeek(monday(1));
    await page.getByRole('button', { name: 'Ajouter une disponibilité' }).click();
    const d = dialog('Ajouter une disponibilité');
    await d.waitFor();
    expect(await d.getByRole('radio', { name: 'Créneau (un patient)' }).isChecked()).toBe(true);
    await expectNoA11yViolations(page, 'agenda create dialog');
    await screenshot(page, 'agenda-create-dialog');
    await fillAvailability(d, { date: tuesday, start: '09:00', end: '09:20' });
    await tick(d.getByRole('checkbox', { name: 'Téléconsultation' }));
    await d.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await d.waitFor({ state: 'detached' });
    await expect.poll(() => occurrences(tuesday).count(), { timeout: 10_000 }).toBe(1);
    const text = await occurrences(tuesday).innerText();
    expect(text).toContain('09:00–09:20');
    expect(text).toContain('Au cabinet, Téléconsultation');
    expect(await page.locator('sas-agenda [data-status]').innerText()).toContain('Créneau ajouté');
    const server = (await week(monday(1), 7)).occurrences;
    expect(server).toEqual([expect.objectContaining({ date: tuesday, startTime: '09:00', endTime: '09:20', seriesId: null })]);
  });

  it('creates a weekly range of 4 patients on Wednesdays and Fridays, shown each week with its places', async () => {
    const wednesday = plus(monday(1), 2);
    const friday = plus(monday(1), 4);
    await page.getByRole('button', { name: 'Ajouter une disponibilité' }).click();
    const d = dialog('Ajouter une disponibilité');
    await tick(d.getByRole('radio', { name: 'Plage de plusieurs patients' }));
    await d.getByLabel(/^Nombre de patients/).fill('4');
    await fillAvailability(d, { date: wednesday, start: '14:00', end: '16:00' });
    await tick(d.getByRole('checkbox', { name: 'Répéter chaque semaine' }));
    // The first date's weekday is chosen already; add Friday.
    expect(await d.getByRole('button', { name: 'Mercredi' }).getAttribute('aria-pressed')).toBe('true');
    await d.getByRole('button', { name: 'Vendredi' }).click();
    await d.getByLabel(/^Jusqu’au/).fill(plus(friday, 7));
    await expectNoA11yViolations(page, 'agenda create dialog (weekly range)');
    await d.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await d.waitFor({ state: 'detached' });
    for (const date of [wednesday, friday]) {
      await expect.poll(() => occurrences(date).innerText(), { timeout: 10_000 }).toContain('14:00–16:00');
      expect(await occurrences(date).innerText()).toContain('4/4 places');
      expect(await occurrences(date).getByRole('button').getAttribute('data-kind')).toBe('range');
    }
    // placed by time: 14:00 is 6 hours below the first row (08:00)
    expect(await occurrences(wednesday).getAttribute('style')).toContain('top:24rem');
    await expectNoA11yViolations(page, 'agenda week (slot and range)');
    await screenshot(page, 'agenda-week');
    await page.getByRole('button', { name: 'Semaine suivante' }).click();
    await loaded();
    expect(await occurrences(plus(wednesday, 7)).count()).toBe(1);
    expect(await occurrences(plus(friday, 7)).count()).toBe(1);
    const server = await week(monday(1), 14);
    expect(server.series).toEqual([expect.objectContaining({ weekdays: ['WE', 'FR'], until: plus(friday, 7) })]);
    expect(server.occurrences.filter((o) => o.seriesId).map((o) => o.date)).toEqual([wednesday, friday, plus(wednesday, 7), plus(friday, 7)]);
    await page.getByRole('button', { name: 'Semaine précédente' }).click();
    await loaded();
  });

  it('edits one occurrence of the series; the others stay as they were', async () => {
    const wednesday = plus(monday(1), 2);
    const friday = plus(monday(1), 4);
    await occurrences(friday).getByRole('button').click();
    const d = dialog('Modifier la disponibilité');
    await d.waitFor();
    expect(await d.getByRole('radio', { name: /Cette occurrence seulement/ }).isChecked()).toBe(true);
    await expectNoA11yViolations(page, 'agenda edit dialog');
    await fillAvailability(d, { start: '15:00', end: '17:00' });
    await d.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await d.waitFor({ state: 'detached' });
    await expect.poll(() => occurrences(friday).innerText(), { timeout: 10_000 }).toContain('15:00–17:00');
    expect(await occurrences(wednesday).innerText()).toContain('14:00–16:00');
    const server = await week(monday(1), 14);
    expect(server.occurrences.filter((o) => o.seriesId).map((o) => `${o.date} ${o.startTime}`)).toEqual([
      `${wednesday} 14:00`,
      `${friday} 15:00`,
      `${plus(wednesday, 7)} 14:00`,
      `${plus(friday, 7)} 14:00`,
    ]);
  });

  it('an overlap shows the server’s refusal in the dialog, which keeps its input; Escape closes it', async () => {
    const tuesday = plus(monday(1), 1);
    const opener = page.getByRole('button', { name: 'Ajouter une disponibilité' });
    await opener.click();
    const d = dialog('Ajouter une disponibilité');
    await fillAvailability(d, { date: tuesday, start: '09:10', end: '09:30' });
    await d.getByRole('button', { name: 'Ajouter', exact: true }).click();
    const alert = d.getByRole('alert');
    await alert.waitFor();
    expect(await alert.getAttribute('data-problem')).toBe('AvailabilitiesCannotOverlap');
    expect(await alert.innerText()).toMatch(/chevauch/i);
    expect(await d.getByLabel(/^Heure de début/).inputValue()).toBe('09:10');
    expect(await d.getByLabel(/^Date/).inputValue()).toBe(tuesday);
    await expectNoA11yViolations(page, 'agenda dialog with a server error');
    // a validation error (400) is shown next to its field
    await d.getByLabel(/^Heure de fin/).fill('');
    await d.getByRole('button', { name: 'Ajouter', exact: true }).click();
    await expect.poll(() => d.locator('.fr-error-text').innerText()).toMatch(/heure/i);
    expect(await d.getByLabel(/^Heure de fin/).getAttribute('aria-invalid')).toBe('true');
    await page.keyboard.press('Escape');
    await d.waitFor({ state: 'detached' });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await occurrences(tuesday).count()).toBe(1);
  });

  it('deletes the whole series from one of its occurrences', async () => {
    const wednesday = plus(monday(1), 2);
    const friday = plus(monday(1), 4);
    await occurrences(wednesday).getByRole('button').click();
    const d = dialog('Modifier la disponibilité');
    await tick(d.getByRole('radio', { name: 'Toute la série (à venir)' }));
    await dialog('Modifier la série hebdomadaire').getByRole('button', { name: 'Supprimer la série' }).click();
    await dialog('Modifier la série hebdomadaire').getByRole('button', { name: 'Confirmer la suppression de la série' }).click();
    await dialog(/Modifier/).waitFor({ state: 'detached' });
    await expect.poll(() => occurrences(wednesday).count(), { timeout: 10_000 }).toBe(0);
    expect(await occurrences(friday).count()).toBe(0);
    const server = await week(monday(1), 14);
    expect(server.series).toEqual([]);
    expect(server.occurrences.map((o) => o.seriesId)).toEqual([null]);
  });

  it('declares an unavailability, shown on the days it covers, and removes it', async () => {
    const tuesday = plus(monday(1), 1);
    const panel = page.locator('sas-agenda section[data-panel="unavailability"]');
    await panel.getByLabel('Du', { exact: true }).fill(tuesday);
    await panel.getByLabel('Au (inclus)').fill(plus(tuesday, 1));
    await panel.getByRole('button', { name: 'Déclarer l’indisponibilité' }).click();
    await expect.poll(() => panel.locator('li[data-period-id]').count(), { timeout: 10_000 }).toBe(1);
    expect(await panel.locator('li[data-period-id]').innerText()).toMatch(/^Du \d+ \S+ \d{4} au \d+ \S+ \d{4}/);
    expect(await page.locator(`sas-agenda ul[data-date="${tuesday}"]`).getAttribute('data-unavailable')).not.toBeNull();
    expect(await occurrences(tuesday).getByRole('button').getAttribute('data-hidden')).not.toBeNull();
    expect(await occurrences(tuesday).innerText()).toContain('masqué de la recherche');
    expect((await week(monday(1), 7)).unavailabilities).toEqual([expect.objectContaining({ fromDate: tuesday, toDate: plus(tuesday, 1) })]);
    await expectNoA11yViolations(page, 'agenda with an unavailability');

    await panel.getByRole('button', { name: /^Retirer l’indisponibilité/ }).click();
    await expect.poll(() => panel.locator('li[data-period-id]').count(), { timeout: 10_000 }).toBe(0);
    expect(await page.locator(`sas-agenda ul[data-date="${tuesday}"]`).getAttribute('data-unavailable')).toBeNull();
    expect((await week(monday(1), 7)).unavailabilities).toEqual([]);
  });

  it('the indefinite switch is saved and shown', async () => {
    const toggle = page.getByRole('checkbox', { name: /Indisponible pour une durée indéfinie/ });
    await tick(toggle);
    expect(await toggle.isChecked()).toBe(true);
    await expect.poll(() => agenda().innerText(), { timeout: 10_000 }).toContain('tous les créneaux sont masqués');
    const on = (await (await api.api(`/api/agendas/${RPPS}?from=${monday(1)}&days=7`)).json()) as { indefinitelyUnavailable: boolean };
    expect(on.indefinitelyUnavailable).toBe(true);
    await tick(toggle);
    await expect.poll(() => agenda().innerText(), { timeout: 10_000 }).not.toContain('tous les créneaux sont masqués');
    const off = (await (await api.api(`/api/agendas/${RPPS}?from=${monday(1)}&days=7`)).json()) as { indefinitelyUnavailable: boolean };
    expect(off.indefinitelyUnavailable).toBe(false);
  });

  it('an occurrence booked through the booking API is shown locked, without an edit button', async () => {
    const thursday = plus(monday(1), 3);
    const created = await api.api(`/api/agendas/${RPPS}/availabilities`, {
      method: 'POST',
      json: { kind: 'slot', date: thursday, startTime: '11:00', endTime: '11:20', consultationTypes: ['cabinet'] },
    });
    expect(created.status).toBe(201);
    const { slotId } = ((await created.json()) as { occurrences: { slotId: string }[] }).occurrences[0]!;
    // the slot index projection learns the new slot, then the regulator books it
    let booking: Response | undefined;
    await eventually(async () => {
      booking = await regulator.api(`/api/slots/${slotId}/bookings`, { method: 'POST', json: {} });
      return booking.status !== 404;
    });
    expect(booking!.status).toBe(201);
    await page.getByRole('button', { name: 'Semaine suivante' }).click();
    await loaded();
    await page.getByRole('button', { name: 'Semaine précédente' }).click();
    await loaded();
    const li = occurrences(thursday);
    await expect.poll(() => li.innerText(), { timeout: 10_000 }).toContain('Réservé · verrouillé');
    expect(await li.getByRole('button').count()).toBe(0);
    expect(await li.locator('[data-booked]').count()).toBe(1);
    expect((await week(monday(1), 7)).occurrences.find((o) => o.slotId === slotId)).toMatchObject({ booked: true });
    await expectNoA11yViolations(page, 'agenda with a booked occurrence');
    await screenshot(page, 'agenda-booked');
  });

  it('creates a slot with the keyboard only (Tab, Enter, typing), the dialog trapping the focus', async () => {
    const target = monday(2);
    await page.getByRole('button', { name: 'Aujourd’hui' }).click();
    await loaded();
    const active = () => page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      return { text: (el?.textContent ?? '').trim(), id: el?.id ?? '', tag: el?.tagName ?? '', type: (el as HTMLInputElement | null)?.type ?? '' };
    });
    /** Presses Tab until the focused element matches (at most 80 times). */
    async function tabTo(match: (a: Awaited<ReturnType<typeof active>>) => boolean, shift = false) {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
        if (match(await active())) return;
      }
      throw new Error(`focus never reached the element (last: ${JSON.stringify(await active())})`);
    }
    await page.locator('sas-agenda h2').first().focus();
    await tabTo((a) => a.text === 'Semaine suivante');
    await page.keyboard.press('Enter');
    await loaded();
    await page.keyboard.press('Enter');
    await loaded();
    await expect.poll(() => day(target).count()).toBe(1);
    await tabTo((a) => a.text === 'Ajouter une disponibilité');
    await page.keyboard.press('Enter');
    const d = dialog('Ajouter une disponibilité');
    await d.waitFor();
    // focus starts in the dialog, on the kind
    expect(await active()).toMatchObject({ tag: 'INPUT', type: 'radio' });
    // the date is the displayed week's Monday; type the times
    expect(await d.getByLabel(/^Date/).inputValue()).toBe(target);
    await tabTo((a) => a.id.endsWith('-startTime'));
    // (a 12-hour browser locale also asks for AM/PM)
    const typeTime = async (digits: string, field: RegExp) => {
      await page.keyboard.type(digits);
      if ((await d.getByLabel(field).inputValue()) === '') await page.keyboard.type('AM');
    };
    await typeTime('1000', /^Heure de début/);
    await tabTo((a) => a.id.endsWith('-endTime'));
    await typeTime('1030', /^Heure de fin/);
    expect(await d.getByLabel(/^Heure de début/).inputValue()).toBe('10:00');
    expect(await d.getByLabel(/^Heure de fin/).inputValue()).toBe('10:30');
    // Tab never leaves the dialog: from its last button it wraps to its first
    await tabTo((a) => a.text === 'Annuler');
    await page.keyboard.press('Tab');
    expect(await d.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    expect((await active()).text).toBe('Fermer');
    await page.keyboard.press('Shift+Tab');
    expect((await active()).text).toBe('Annuler');
    await tabTo((a) => a.text === 'Ajouter', true);
    await page.keyboard.press('Enter');
    await d.waitFor({ state: 'detached' });
    await expect.poll(() => occurrences(target).innerText(), { timeout: 10_000 }).toContain('10:00–10:30');
    // an existing occurrence opens its dialog with Enter too
    await occurrences(target).getByRole('button').focus();
    await page.keyboard.press('Enter');
    await dialog('Modifier la disponibilité').waitFor();
    await page.keyboard.press('Escape');
    await dialog('Modifier la disponibilité').waitFor({ state: 'detached' });
    expect(await occurrences(target).getByRole('button').evaluate((el) => el === document.activeElement)).toBe(true);
    expect((await week(target, 7)).occurrences.map((o) => `${o.date} ${o.startTime}-${o.endTime}`)).toEqual([`${target} 10:00-10:30`]);
  });

  it('a délégataire opens the effecteur’s agenda by its RPPS', async () => {
    const other = await newPage(browser);
    other.on('pageerror', (error) => pageErrors.push(error.message));
    await loginThroughShell(other, t.url, demoIdentityByRole('delegataire').label);
    await other.getByRole('link', { name: 'Agendas' }).first().click();
    await other.waitForURL(`${t.url}/agenda`);
    await other.getByLabel(/Numéro RPPS de l’effecteur/).fill('12345');
    await other.getByRole('button', { name: 'Afficher l’agenda' }).click();
    expect(await other.locator('#agenda-rpps-error').innerText()).toMatch(/11 chiffres/);
    await other.getByLabel(/Numéro RPPS de l’effecteur/).fill(RPPS);
    await other.getByRole('button', { name: 'Afficher l’agenda' }).click();
    await other.getByRole('button', { name: 'Semaine suivante' }).click();
    await expect.poll(() => other.locator(`sas-agenda ul[data-date="${plus(monday(1), 1)}"] li`).innerText(), { timeout: 10_000 }).toContain('09:00–09:20');
    expect(new URL(other.url()).searchParams.get('rpps')).toBe(RPPS);
    await expectNoA11yViolations(other, 'délégataire agenda');
    await other.context().close();
  });

  it('a gestionnaire de structure picks one of its structures, then a member, and edits that agenda', async () => {
    const manager = await loginAs(t.url, demoIdentityByRole('gestionnaire-structure').nationalId);
    const structure = await manager.api('/api/directory/structures', { method: 'POST', json: { kind: 'sos-medecins', name: 'SOS Médecins Agenda UI', inseeCode: '31555' } });
    expect(structure.status).toBe(201);
    const { structureId } = (await structure.json()) as { structureId: string };
    expect((await manager.api(`/api/directory/structures/${structureId}/members`, { method: 'POST', json: { rpps: RPPS } })).status).toBe(201);
    await eventually(async () => (await manager.api(`/api/agendas/${RPPS}`)).status === 200);
    await eventually(async () => {
      const list = (await (await manager.api('/api/directory/structures?departement=31&limit=200')).json()) as { items: { structureId: string; memberCount: number }[] };
      return list.items.some((s) => s.structureId === structureId && s.memberCount === 1);
    });

    const other = await newPage(browser);
    other.on('pageerror', (error) => pageErrors.push(error.message));
    await loginThroughShell(other, t.url, demoIdentityByRole('gestionnaire-structure').label);
    await other.getByRole('link', { name: 'Agendas' }).first().click();
    await other.waitForURL(`${t.url}/agenda`);
    const structures = other.getByRole('combobox', { name: /Structure/ });
    await expect
      .poll(async () => (await structures.locator('option').allTextContents()).map((o) => o.trim()), { timeout: 10_000 })
      .toContain('SOS Médecins Agenda UI (31)');
    await structures.selectOption(structureId);
    const members = other.getByRole('combobox', { name: 'Membre de la structure' });
    await members.waitFor();
    await members.selectOption(RPPS);
    await other.getByRole('button', { name: 'Semaine suivante' }).click();
    const tuesday = other.locator(`sas-agenda ul[data-date="${plus(monday(1), 1)}"] li`);
    await expect.poll(() => tuesday.innerText(), { timeout: 10_000 }).toContain('09:00–09:20');
    await expectNoA11yViolations(other, 'gestionnaire de structure agenda');
    // the manager edits it: the slot moves to 09:30
    await tuesday.getByRole('button').click();
    const d = other.getByRole('dialog', { name: 'Modifier la disponibilité' });
    await d.getByLabel(/^Heure de début/).fill('09:30');
    await d.getByLabel(/^Heure de fin/).fill('09:50');
    await d.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await d.waitFor({ state: 'detached' });
    await expect.poll(() => tuesday.innerText(), { timeout: 10_000 }).toContain('09:30–09:50');
    expect((await week(monday(1), 7)).occurrences.find((o) => o.date === plus(monday(1), 1))).toMatchObject({ startTime: '09:30', endTime: '09:50' });
    await other.context().close();
  });

  it('raised no script error', () => {
    expect(pageErrors).toEqual([]);
  });
});

