/**
 * The regulators' search screen (<sas-search>) in a real Chromium against the real platform: a demo regulator picks
 * a commune with the keyboard in the autocomplete, searches, sees the cards in the API's order, narrows with the
 * "Disponible sous" tags, selects a slot (sas-slot-selected event), reaches the empty state, and opens the screen
 * from an LRM-like URL (inseecode + médecin traitant), sees CPTS cards and an SOS Médecins association's own card
 * (its slot selected as the structure's). axe checks the results and the empty state.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { structureStreamName } from '../../src/modules/directory/contracts/directory.events.ts';
import { DIRECTORY_STRUCTURES } from '../../src/modules/directory/structures.tokens.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { browserAvailable, expectNoA11yViolations, launchBrowser, loginThroughShell, newPage, screenshot } from '../support/browser.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { publishSlot, registerPractitioner, testMetadata, testRpps } from '../support/search-fixtures.ts';

const run = (browserAvailable() || process.env.CI === 'true') && Boolean(testDatabaseUrl);



describe.skipIf(!run)('the search screen in a browser', () => {
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const now = Date.now();
  const P = {
    toulouseSoon: testRpps(21), // Toulouse, slot in 2 h (cabinet + téléconsultation, entered by hand)
    blagnacLater: testRpps(22), // Blagnac, slot in 10 h (from a vendor's agenda)
    toulouseTomorrow: testRpps(23), // Toulouse, slot in 20 h
    toulouseNoSlot: testRpps(24), // Toulouse, no slot
  };
  const slotOf: Record<string, string> = {};

  const practitioner = (id: string, familyName: string, inseeCode: string, postcode: string) => registerPractitioner(t, { rpps: id, familyName, inseeCode, postcode });

  const slot = (id: string, inHours: number, source: 'manual' | 'vendor', consultationTypes = ['cabinet']) => publishSlot(t, id, now, inHours, source, consultationTypes);

  /** The slots of a practitioner's cards as GET /api/search now answers (the projection follows the log asynchronously). */
  const apiSlotsOf = async (rpps: string) => {
    const body = (await (await page.request.get(`${t.url}/api/search?departement=31&limit=50`)).json()) as { items?: { rpps: string; slots: { slotId: string; stale?: boolean }[] }[] };
    return (body.items ?? []).filter((c) => c.rpps === rpps).flatMap((c) => c.slots);
  };
  const cardIds = () => page.locator('sas-search li[data-rpps]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rpps')));

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    await practitioner(P.toulouseSoon, 'Dubois', '31555', '31000');
    await practitioner(P.blagnacLater, 'Martin', '31069', '31700');
    await practitioner(P.toulouseTomorrow, 'Lefebvre', '31555', '31000');
    await practitioner(P.toulouseNoSlot, 'Bernard', '31555', '31000');
    slotOf.toulouseSoon = await slot(P.toulouseSoon, 2, 'manual', ['cabinet', 'teleconsultation']);
    slotOf.blagnacLater = await slot(P.blagnacLater, 10, 'vendor');
    slotOf.toulouseTomorrow = await slot(P.toulouseTomorrow, 20, 'manual');
    browser = await launchBrowser();
    page = await newPage(browser);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Log in as the demo regulator through the shell and the development provider.
    await loginThroughShell(page, t.url, demoIdentityByRole('regulateur-osnp').label);
    // The projection caught up with the seeded practitioners and slots.
    await eventually(async () => {
      const response = await page.request.get(`${t.url}/api/search?departement=31&limit=50`);
      const body = (await response.json()) as { items?: { rpps: string; slots: unknown[] }[] };
      const ours = (body.items ?? []).filter((c) => Object.values(P).includes(c.rpps));
      return ours.length === 4 && ours.filter((c) => c.slots.length > 0).length === 3;
    }, 20_000);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  it('picks a commune with the keyboard, searches, filters, selects a slot and shows the empty state', async () => {
    await page.getByRole('link', { name: 'Rechercher un professionnel de santé' }).first().click();
    await page.waitForURL(`${t.url}/recherche`);
    await page.evaluate(() => {
      document.addEventListener('sas-slot-selected', (event) => {
        (window as unknown as { __slotSelected: unknown }).__slotSelected = (event as CustomEvent).detail;
      });
    });

    const commune = page.getByRole('combobox', { name: /Commune du patient/ });
    await commune.pressSequentially('toulo');
    await expect.poll(() => commune.getAttribute('aria-expanded'), { timeout: 10_000 }).toBe('true');
    await expect.poll(() => page.getByRole('option', { name: /^Toulouse \(/ }).count()).toBe(1);
    // Arrow down to Toulouse, then Enter.
    for (let i = 0; i < 8; i++) {
      await commune.press('ArrowDown');
      const active = await commune.getAttribute('aria-activedescendant');
      if (active && (await page.locator(`[id="${active}"]`).innerText()).startsWith('Toulouse (')) break;
    }
    await commune.press('Enter');
    expect(await commune.inputValue()).toBe('Toulouse');
    expect(await commune.getAttribute('aria-expanded')).toBe('false');
    await commune.press('Escape');

    // A zone search orders each group at random (seeded per search): the cards follow the API's answer.
    const answer = page.waitForResponse((r) => r.url().includes('/api/search?'));
    await page.getByRole('button', { name: 'Rechercher', exact: true }).click();
    const api = (await (await answer).json()) as { items: { rpps: string; group: string }[] };
    await expect.poll(cardIds, { timeout: 10_000 }).toHaveLength(4);
    expect(await cardIds()).toEqual(api.items.map((c) => c.rpps));
    expect(api.items.map((c) => c.group)).toEqual(['with-slots', 'with-slots', 'with-slots', 'without-slots']);
    expect((await cardIds()).at(-1)).toBe(P.toulouseNoSlot);
    const dubois = page.locator(`li[data-rpps="${P.toulouseSoon}"]`);
    expect(await dubois.innerText()).toContain('Dr Alex Dubois');
    expect(await dubois.innerText()).toContain('saisie manuelle');
    expect(await page.locator(`li[data-rpps="${P.blagnacLater}"]`).innerText()).toContain('Agenda : éditeur');
    await expect.poll(() => page.locator('sas-search section').getAttribute('aria-busy')).toBe('false');
    await expectNoA11yViolations(page, 'search');
    await screenshot(page, 'search-results');

    const soon = page.getByRole('button', { name: 'Disponible sous 0-4 h' });
    await soon.click();
    expect(await soon.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(cardIds, { timeout: 10_000 }).toEqual([P.toulouseSoon]);

    await page.locator(`button[data-slot-id="${slotOf.toulouseSoon}"]`).click();
    const detail = await page.evaluate(() => (window as unknown as { __slotSelected?: unknown }).__slotSelected);
    expect(detail).toMatchObject({ rpps: P.toulouseSoon, slotId: slotOf.toulouseSoon, consultationTypes: ['cabinet', 'teleconsultation'] });

    await page.getByRole('button', { name: 'À domicile' }).click();
    await expect.poll(() => page.locator('sas-search').innerText(), { timeout: 10_000 }).toContain('Aucun professionnel ne correspond');
    expect(await cardIds()).toEqual([]);
    await expectNoA11yViolations(page, 'search');
  });

  it('searches at once from LRM-like parameters and puts the médecin traitant first', async () => {
    await page.goto(`${t.url}/recherche?inseecode=31555&city=Toulouse&specialty=medecine-generale&practitioner=${P.toulouseNoSlot}`);
    await expect.poll(cardIds, { timeout: 10_000 }).toHaveLength(4);
    expect((await cardIds())[0]).toBe(P.toulouseNoSlot);
    expect(await page.locator(`li[data-rpps="${P.toulouseNoSlot}"]`).textContent()).toContain('Médecin traitant');
    await page.evaluate(() => {
      document.addEventListener('sas-practitioner-selected', (event) => {
        (window as unknown as { __practitioner: unknown }).__practitioner = (event as CustomEvent).detail;
      });
    });
    await page.getByRole('button', { name: 'Dr Alex Bernard' }).click();
    expect(await page.evaluate(() => (window as unknown as { __practitioner?: unknown }).__practitioner)).toEqual({
      rpps: P.toulouseNoSlot,
      locationId: `loc-${P.toulouseNoSlot}`,
    });
  });

  it('shows a CPTS card with its point of contact and its members, filters by structure, lists all the CPTS’s members', async () => {
    const deps = t.platform.containers.get('directory')!.get(DIRECTORY_STRUCTURES.deps);
    const ctx = { actor: { accountId: 'test', role: 'system' }, correlationId: randomUUID(), now: new Date() };
    const cpts = 'finess-310020002';
    await deps.structures.handle(
      structureStreamName(cpts),
      { type: 'SyncFromFiness', snapshot: { structureId: cpts, kind: 'cpts', finess: '310020002', finessCategory: '604', name: 'CPTS DU CAPITOLE', address: { inseeCode: '31555', postcode: '31000', street: null }, phone: '0561777777' } },
      ctx,
    );
    for (const member of [P.toulouseSoon, P.toulouseTomorrow]) {
      await deps.structures.handle(structureStreamName(cpts), { type: 'AddMember', rpps: member }, ctx);
      // They take part in the SAS through the CPTS (the participation module's public event).
      await t.platform.eventStore.appendToStream(`participation.effecteur-${member}`, [
        {
          type: 'ParticipationDeclared',
          data: { effecteurId: member, mode: 'cpts', structureId: cpts, acceptsEnSus: member === P.toulouseTomorrow, conventionSector: '1' },
          metadata: testMetadata(),
        },
      ]);
    }
    await eventually(async () => {
      // Both participations projected (the CPTS card holds both members).
      const body = (await (await page.request.get(`${t.url}/api/search?commune=31555&limit=50`)).json()) as { items: { kind: string; members?: unknown[] }[] };
      return body.items.some((i) => i.kind === 'cpts' && i.members?.length === 2);
    }, 20_000);

    await page.goto(`${t.url}/recherche?inseecode=31555&city=Toulouse`);
    const card = page.locator(`sas-search li[data-cpts="${cpts}"]`);
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    const text = await card.innerText();
    expect(text).toContain('CPTS DU CAPITOLE');
    expect(text).toContain('Point de contact de la CPTS');
    expect(await card.locator('a[href="tel:0561777777"]').count()).toBe(1);
    expect(await card.locator('li[data-rpps]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rpps')).sort())).toEqual([P.toulouseSoon, P.toulouseTomorrow].sort());
    await expect.poll(() => page.locator('sas-search section.sas-search-results').getAttribute('aria-busy')).toBe('false');
    await expectNoA11yViolations(page, 'search');
    await screenshot(page, 'search-cpts-card');

    expect(await card.locator(`li[data-rpps="${P.toulouseTomorrow}"]`).textContent()).toContain('Accepte des patients en sus');
    expect(await card.locator(`li[data-rpps="${P.toulouseSoon}"]`).textContent()).toContain('Participe au SAS');

    const enSus = page.getByRole('button', { name: 'Accepte des patients en sus' });
    await enSus.click();
    await expect.poll(() => page.locator('sas-search li[data-rpps]').evaluateAll((els) => els.map((e) => e.getAttribute('data-rpps'))), { timeout: 10_000 }).toEqual([P.toulouseTomorrow]);
    await enSus.click();

    await page.getByRole('combobox', { name: 'Exercice en structure' }).selectOption('cpts');
    await expect.poll(() => page.locator('sas-search li[data-rpps]').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.locator('sas-search li[data-cpts]').count()).toBe(1);

    await card.getByRole('button', { name: 'Voir tous les professionnels de la CPTS' }).click();
    await expect.poll(() => page.locator('sas-search').innerText(), { timeout: 10_000 }).toContain('Tous les professionnels de CPTS DU CAPITOLE');
    await page.getByRole('button', { name: 'Revenir à la recherche autour de la commune' }).click();
    await expect.poll(() => page.locator('sas-search').innerText(), { timeout: 10_000 }).not.toContain('Tous les professionnels de CPTS DU CAPITOLE');
  });

  it('flags a vendor slot its vendor has not confirmed lately', async () => {
    await t.platform.eventStore.appendToStream('availability.vendor-agenda-x', [
      {
        type: 'VendorSlotsStale',
        data: { vendorId: 'agenda-x', slotIds: [slotOf.blagnacLater], effecteurIds: [P.blagnacLater], lastSuccessAt: null },
        metadata: testMetadata(),
      },
    ]);
    // The page searches once: open it when the search knows.
    await eventually(async () => (await apiSlotsOf(P.blagnacLater)).some((s) => s.slotId === slotOf.blagnacLater && s.stale));
    await page.goto(`${t.url}/recherche?inseecode=31069&city=Blagnac`);
    const card = page.locator(`sas-search li[data-rpps="${P.blagnacLater}"]`);
    // (textContent: the DSFR badge is upper-cased by CSS.)
    await expect.poll(async () => ((await card.count()) > 0 ? card.textContent() : ''), { timeout: 10_000 }).toContain('Disponibilité non confirmée');
    await expectNoA11yViolations(page, 'search');
  });

  it('links an end-to-end vendor slot to its booking page, and says a phone-only one is booked by phone', async () => {
    const meta = () => (testMetadata());
    const [endToEnd, phone] = [randomUUID(), randomUUID()];
    for (const [slotId, bookingMode, inHours] of [[endToEnd, 'end-to-end', 11], [phone, 'phone', 12]] as const) {
      const start = Date.now() + inHours * 3_600_000;
      await t.platform.eventStore.appendToStream(`availability.slot-${slotId}`, [
        {
          type: 'SlotPublished',
          data: { slotId, effecteurId: P.blagnacLater, start: new Date(start).toISOString(), end: new Date(start + 900_000).toISOString(), consultationTypes: ['cabinet'], source: 'vendor', bookingMode },
          metadata: meta(),
        },
      ]);
    }
    await eventually(async () => (await apiSlotsOf(P.blagnacLater)).filter((s) => s.slotId === endToEnd || s.slotId === phone).length === 2);
    await page.goto(`${t.url}/recherche?inseecode=31069&city=Blagnac`);
    const link = page.locator(`a[data-vendor-booking="${endToEnd}"]`);
    await expect.poll(() => link.count(), { timeout: 10_000 }).toBe(1);
    expect(await link.getAttribute('href')).toBe(`/api/slots/${endToEnd}/vendor-booking`);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await page.locator(`sas-search li[data-rpps="${P.blagnacLater}"]`).textContent()).toContain('Réservation par téléphone auprès du cabinet');
    expect(await page.locator(`a[data-vendor-booking="${phone}"]`).count()).toBe(0);
    await expectNoA11yViolations(page, 'search');
  });

  it('shows an SOS Médecins association offering the filière as its own card, whose slot is selected as the structure’s', async () => {
    const deps = t.platform.containers.get('directory')!.get(DIRECTORY_STRUCTURES.deps);
    const ctx = { actor: { accountId: 'test', role: 'system' }, correlationId: randomUUID(), now: new Date() };
    const sosId = randomUUID();
    const siret = '73282932000074';
    const name = 'SOS Médecins Capitole';
    await deps.structures.handle(
      structureStreamName(sosId),
      {
        type: 'RegisterOnPlatform',
        structureId: sosId,
        kind: 'sos-medecins',
        name,
        address: { inseeCode: '31555', postcode: '31000', street: '5 rue des Gardes' },
        phone: '0561888888',
        siret,
        managerAccountId: null,
      },
      ctx,
    );
    // Its vendor publishes its slots under its SIRET: one to select, one bookable end to end at the vendor.
    const sosSlot = await publishSlot(t, siret, now, 3, 'vendor');
    const endToEnd = randomUUID();
    const start = now + 5 * 3_600_000;
    await t.platform.eventStore.appendToStream(`availability.slot-${endToEnd}`, [
      {
        type: 'SlotPublished',
        data: { slotId: endToEnd, effecteurId: siret, start: new Date(start).toISOString(), end: new Date(start + 900_000).toISOString(), consultationTypes: ['domicile'], source: 'vendor', bookingMode: 'end-to-end' },
        metadata: testMetadata(),
      },
    ]);
    await eventually(async () => {
      const body = (await (await page.request.get(`${t.url}/api/search?commune=31555&limit=50`)).json()) as {
        items: { kind: string; effecteurStructure?: { structureId: string } | null; slots?: unknown[] }[];
      };
      return body.items.some((i) => i.kind === 'structure' && i.effecteurStructure?.structureId === sosId && i.slots?.length === 2);
    }, 20_000);

    await page.goto(`${t.url}/recherche?inseecode=31555&city=Toulouse`);
    await page.evaluate(() => {
      const w = window as unknown as { __slotSelected?: unknown; __practitioner?: unknown };
      document.addEventListener('sas-slot-selected', (event) => (w.__slotSelected = (event as CustomEvent).detail));
      document.addEventListener('sas-practitioner-selected', (event) => (w.__practitioner = (event as CustomEvent).detail));
    });
    const card = page.locator(`sas-search li[data-structure="${sosId}"]`);
    await expect.poll(() => card.count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.locator('sas-search section.sas-search-results').getAttribute('aria-busy')).toBe('false');

    // Its own card, not a practitioner's: titled with its name (no practitioner button), its SIRET never shown as an RPPS.
    expect(await card.getAttribute('data-group')).toBe('with-slots');
    expect(await card.getAttribute('data-rpps')).toBeNull();
    expect(await page.locator(`sas-search li[data-rpps="${siret}"]`).count()).toBe(0);
    expect(await card.getByRole('heading', { level: 3 }).textContent()).toBe(name);
    expect(await card.locator('h3 button').count()).toBe(0);
    expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    // (textContent: the DSFR badge is upper-cased by CSS.)
    expect(await card.locator('p.fr-badge').evaluateAll((els) => els.map((e) => e.textContent?.trim()))).toContain('SOS Médecins');
    const text = (await card.textContent()) ?? '';
    expect(text).not.toContain('Spécialité non renseignée');
    expect(text).toContain('5 rue des Gardes, 31000 Toulouse');
    expect(text).toMatch(/À (moins de )?\d/);
    expect(await card.locator('a[href="tel:0561888888"]').count()).toBe(1);
    expect(text).toContain('Agenda : éditeur');
    // Its slots as a practitioner's: the end-to-end one links to the vendor's booking page.
    expect(await card.locator(`a[data-vendor-booking="${endToEnd}"]`).getAttribute('href')).toBe(`/api/slots/${endToEnd}/vendor-booking`);
    const slotButton = card.locator(`button[data-slot-id="${sosSlot}"]`);
    expect(await slotButton.getAttribute('aria-label')).toBeNull();
    expect(await slotButton.textContent()).toContain(name);

    // The count of cards: the structure's card counts as one.
    const shown = await page.locator('sas-search li[data-rpps], sas-search li[data-structure]').count();
    expect(await page.locator('sas-search [role="status"]').textContent()).toContain(`${shown} professionnels affichés`);

    await expectNoA11yViolations(page, 'search');
    await screenshot(page, 'search-structure-card');

    // Chosen with the keyboard: the event names the structure and its SIRET, no RPPS.
    await slotButton.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (window as unknown as { __slotSelected?: unknown }).__slotSelected)).toEqual({
      rpps: null,
      structureId: sosId,
      siret,
      slotId: sosSlot,
      start: new Date(now + 3 * 3_600_000).toISOString(),
      end: new Date(now + 3 * 3_600_000 + 1_200_000).toISOString(),
      consultationTypes: ['cabinet'],
    });
    expect(await page.evaluate(() => (window as unknown as { __practitioner?: unknown }).__practitioner)).toBeUndefined();

    // The structure-kind filter keeps it (a structure "is a member" of itself), alone.
    await page.getByRole('combobox', { name: 'Exercice en structure' }).selectOption('sos-medecins');
    await expect.poll(() => page.locator('sas-search li[data-rpps]').count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.locator('sas-search li[data-structure]').evaluateAll((els) => els.map((e) => e.getAttribute('data-structure')))).toEqual([sosId]);
  });

  it('raised no script error', () => {
    expect(pageErrors).toEqual([]);
  });
});
