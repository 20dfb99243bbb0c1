/**
 * SOS Médecins associations in search, end to end: a vendor simulator serves an association's slots (FHIR "SOS"
 * flavour, by the association's SIRET); the platform aggregates them through its job queue; once the association is
 * on the platform with that SIRET, regulators find its card (item kind `structure`) with those slots; without the
 * SIRET the card goes.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlotPublished } from '../../src/modules/availability/contracts/availability.events.ts';
import { createVendorSimulator, type VendorSimulator } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.server.ts';
import type { SearchResultItem } from '../../src/modules/directory/application/search/cpts-cards.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { testRedisUrl } from '../support/redis.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

describe.skipIf(!testDatabaseUrl || !testRedisUrl)('SOS Médecins associations in search, from their vendor', () => {
  let sim: VendorSimulator;
  let t: TestPlatform;
  let admin: LoggedIn;
  let regulator: LoggedIn;
  let siret: string;

  const search = async (query: string) => {
    const response = await regulator.api(`/api/search?${query}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: SearchResultItem[] }).items;
  };
  const structureItems = (items: SearchResultItem[]) => items.filter((i): i is Extract<SearchResultItem, { kind: 'structure' }> => i.kind === 'structure');
  /** The slots the platform published for the association, from its vendor. */
  const publishedForSiret = async () => {
    const events = await t.platform.eventStore.readAll({ after: 0, limit: 10_000, filter: { eventTypes: ['SlotPublished'] } });
    return events.map((e) => (e as unknown as SlotPublished).data).filter((d) => d.effecteurId === siret);
  };

  beforeAll(async () => {
    sim = await createVendorSimulator({ vendor: 'Agenda SOS', seed: 11, practitioners: 0, sosMedecins: 1 });
    siret = ((await (await fetch(`${sim.url}/_sim/`)).json()) as { sosMedecins: { siret: string }[] }).sosMedecins[0]!.siret;
    const dir = mkdtempSync(join(tmpdir(), 'sas-vendors-'));
    const file = join(dir, 'vendors.json');
    writeFileSync(
      file,
      JSON.stringify({
        vendors: [{ id: 'agenda-sos', name: 'Agenda SOS', fhirBaseUrl: sim.fhirBaseUrl, capability: 'end-to-end', practitioners: [], sosMedecins: [siret], pollingPeriodMs: 3_600_000 }],
      }),
    );
    t = await startTestPlatform({ env: { REDIS_URL: testRedisUrl!, DEMO_DATA: 'true', VENDORS_FILE: file } });
    admin = await loginAs(t.url, demoIdentityByRole('admin-national').nationalId);
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await sim?.stop();
  });

  it('shows the association’s vendor slots on its card once it is on the platform with its SIRET, and not without', async () => {
    // The vendor's slots are aggregated whatever the directory knows (the job's first round at start).
    await eventually(async () => (await publishedForSiret()).length > 0, 30_000, 200);
    expect(structureItems(await search('departement=31&limit=50'))).toEqual([]);

    const created = await admin.api('/api/directory/structures', {
      method: 'POST',
      json: { kind: 'sos-medecins', name: 'SOS Médecins Toulouse', inseeCode: '31555', postcode: '31000', phone: '05 61 00 00 99', siret },
    });
    expect(created.status).toBe(201);
    const { structureId } = (await created.json()) as { structureId: string };
    let card: Extract<SearchResultItem, { kind: 'structure' }> | undefined;
    await eventually(async () => (card = structureItems(await search('departement=31&limit=50'))[0]) !== undefined);
    expect(card).toMatchObject({
      rpps: siret,
      locationId: structureId,
      structure: 'SOS Médecins Toulouse',
      phone: '0561000099',
      address: { inseeCode: '31555', commune: 'Toulouse' },
      effecteurStructure: { structureId, kind: 'sos-medecins', name: 'SOS Médecins Toulouse', phone: '0561000099' },
      group: 'with-slots',
    });
    // Its first slots of the next 48 h, as the vendor published them.
    const now = Date.now();
    const expected = (await publishedForSiret())
      .filter((d) => Date.parse(d.start) >= now && Date.parse(d.start) < now + 48 * 3_600_000)
      .sort((a, b) => a.start.localeCompare(b.start) || a.slotId.localeCompare(b.slotId))
      .slice(0, 20)
      .map((d) => d.slotId);
    expect(card!.slots.map((s) => s.slotId)).toEqual(expected);
    expect(card!.slots.every((s) => s.source === 'vendor')).toBe(true);
    expect((await search('departement=31&structureKind=sos-medecins&limit=50')).map((i) => i.kind)).toEqual(['structure']);
    expect(structureItems(await search('departement=31&filiere=chirurgiens-dentistes&limit=50'))).toEqual([]);

    // Its manager (here the administrator) removes the SIRET: the card goes, the slots stay aggregated.
    const patched = await admin.api(`/api/directory/structures/${structureId}`, { method: 'PATCH', json: { siret: null } });
    expect(patched.status).toBe(200);
    await eventually(async () => structureItems(await search('departement=31&limit=50')).length === 0);
    expect((await publishedForSiret()).length).toBeGreaterThan(0);
  });
});
