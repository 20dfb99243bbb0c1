/**
 * GET /api/search against the real platform: ordering (médecin traitant, with slots, without), distance order
 * around a point, stable random order for a zone with cursor pagination, "disponible sous" windows, filières,
 * consultation types, name, neutrality of the slot's source, and bad input.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotStreamName } from '../../src/modules/availability/contracts/availability.events.ts';
import { structureStreamName } from '../../src/modules/directory/contracts/directory.events.ts';
import { DIRECTORY_STRUCTURES } from '../../src/modules/directory/structures.tokens.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { publishSlot, registerPractitioner, testMetadata, testRpps } from '../support/search-fixtures.ts';


type Card = { rpps: string; group: string; distanceKm: number | null; slots: { slotId: string; source: string }[]; familyName: string; participation?: { mode: string } | null };

describe.skipIf(!testDatabaseUrl)('search API', () => {
  let t: TestPlatform;
  let regulator: LoggedIn;
  const now = Date.now();
  const P = {
    toulouseSoon: testRpps(1), // GP, Toulouse, slot in 2 h
    blagnacLater: testRpps(2), // GP, Blagnac, slot in 10 h (from a vendor)
    toulouseNoSlot: testRpps(3), // GP, Toulouse, no slot
    dentist: testRpps(4), // dentist, Toulouse, slot in 3 h
    lyon: testRpps(5), // GP, Lyon, slot in 1 h
    muretTreating: testRpps(6), // GP, Muret, no slot: the patient's médecin traitant
  };
  const slotOf: Record<string, string> = {};

  const practitioner = (id: string, familyName: string, professionCode: string, specialtyCode: string | null, inseeCode: string, postcode: string) =>
    registerPractitioner(t, { rpps: id, familyName, professionCode, specialtyCode, inseeCode, postcode });

  const slot = (id: string, inHours: number, source: 'manual' | 'vendor', consultationTypes = ['cabinet']) => publishSlot(t, id, now, inHours, source, consultationTypes);

  const search = async (query: string) => {
    const response = await regulator.api(`/api/search?${query}`);
    return { status: response.status, body: (await response.json()) as { items: Card[]; nextCursor: string | null; code?: string } };
  };
  const ids = (cards: Card[]) => cards.map((c) => c.rpps);

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    await practitioner(P.toulouseSoon, 'Dubois', '10', 'SM54', '31555', '31000');
    await practitioner(P.blagnacLater, 'Martin', '10', 'SM54', '31069', '31700');
    await practitioner(P.toulouseNoSlot, 'Bernard', '10', 'SM54', '31555', '31000');
    await practitioner(P.dentist, 'Petit', '40', null, '31555', '31000');
    await practitioner(P.lyon, 'Robert', '10', 'SM54', '69123', '69001');
    await practitioner(P.muretTreating, 'Richard', '10', 'SM54', '31395', '31600');
    slotOf.toulouseSoon = await slot(P.toulouseSoon, 2, 'manual', ['cabinet', 'teleconsultation']);
    slotOf.blagnacLater = await slot(P.blagnacLater, 10, 'vendor');
    await slot(P.dentist, 3, 'manual');
    await slot(P.lyon, 1, 'manual');
    // The search projection reads the log in order: Lyon's slot, appended last, visible means every event above is.
    await eventually(async () => (await search('departement=69&limit=50')).body.items[0]?.slots.length === 1);
    expect((await search('departement=31&limit=50')).body.items).toHaveLength(4);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('around a commune: practitioners with slots first, then the others, each group by distance', async () => {
    const { status, body } = await search('around=31555&radiusKm=12&limit=50');
    expect(status).toBe(200);
    expect(ids(body.items)).toEqual([P.toulouseSoon, P.blagnacLater, P.toulouseNoSlot]);
    expect(body.items.map((c) => c.group)).toEqual(['with-slots', 'with-slots', 'without-slots']);
    expect(body.items[0]!.distanceKm).toBeLessThan(body.items[1]!.distanceKm!);
    expect(body.items[0]!.slots.map((s) => s.slotId)).toEqual([slotOf.toulouseSoon]);
  });

  it('puts the médecin traitant first', async () => {
    const { body } = await search(`around=31555&radiusKm=30&limit=50&medecinTraitant=${P.muretTreating}`);
    expect(ids(body.items)[0]).toBe(P.muretTreating);
    expect(body.items[0]!.group).toBe('medecin-traitant');
    expect(ids(body.items).slice(1)).toEqual([P.toulouseSoon, P.blagnacLater, P.toulouseNoSlot]);
  });

  it('filters by "disponible sous", consultation type, filière and name', async () => {
    expect(ids((await search('departement=31&disponibleSous=0-4&limit=50')).body.items)).toEqual([P.toulouseSoon]);
    expect(ids((await search('departement=31&disponibleSous=8-12&limit=50')).body.items)).toEqual([P.blagnacLater]);
    expect(ids((await search('departement=31&disponibleSous=0-4&consultationType=teleconsultation&limit=50')).body.items)).toEqual([P.toulouseSoon]);
    expect((await search('departement=31&disponibleSous=0-4&consultationType=domicile&limit=50')).body.items).toEqual([]);
    expect(ids((await search('commune=31555&filiere=chirurgiens-dentistes&limit=50')).body.items)).toEqual([P.dentist]);
    expect(ids((await search('departement=31&name=DUBOÍS&limit=50')).body.items)).toEqual([P.toulouseSoon]);
    expect(ids((await search('departement=69&limit=50')).body.items)).toEqual([P.lyon]);
  });

  it('orders a zone search randomly but stably, and pages with a cursor', async () => {
    const first = await search('departement=31&limit=2');
    expect(first.body.items).toHaveLength(2);
    expect(first.body.items.every((c) => c.group === 'with-slots')).toBe(true);
    const rest = await search(`departement=31&limit=2&cursor=${first.body.nextCursor}`);
    const all = [...ids(first.body.items), ...ids(rest.body.items)];
    expect(new Set(all)).toEqual(new Set([P.toulouseSoon, P.blagnacLater, P.toulouseNoSlot, P.muretTreating]));
    const again = await search(`departement=31&limit=2&cursor=${first.body.nextCursor}`);
    expect(ids(again.body.items)).toEqual(ids(rest.body.items));
  });

  it('never ranks by the source of a slot (neutrality)', async () => {
    const before = ids((await search('around=31555&radiusKm=12&limit=50')).body.items);
    // Replace the vendor slot by the same slot entered by hand: the order must not move.
    await t.platform.eventStore.appendToStream(slotStreamName(slotOf.blagnacLater!), [
      { type: 'SlotWithdrawn', data: { slotId: slotOf.blagnacLater, effecteurId: P.blagnacLater, reason: null }, metadata: testMetadata() },
    ], { expectedRevision: 0 });
    const manual = await slot(P.blagnacLater, 10, 'manual');
    await eventually(async () => (await search('around=31555&radiusKm=12&limit=50')).body.items.some((c) => c.slots.some((s) => s.slotId === manual)));
    expect(ids((await search('around=31555&radiusKm=12&limit=50')).body.items)).toEqual(before);
  });

  it('groups the members of a CPTS under its card, filters by structure kind, lists all the members of a CPTS', async () => {
    const deps = t.platform.containers.get('directory')!.get(DIRECTORY_STRUCTURES.deps);
    const ctx = { actor: { accountId: 'test', role: 'system' }, correlationId: randomUUID(), now: new Date() };
    const cpts = 'finess-310020001';
    await deps.structures.handle(
      structureStreamName(cpts),
      { type: 'SyncFromFiness', snapshot: { structureId: cpts, kind: 'cpts', finess: '310020001', finessCategory: '604', name: 'CPTS TOULOUSE NORD', address: { inseeCode: '31555', postcode: '31200', street: null }, phone: '0561999999' } },
      ctx,
    );
    // Two members in the zone (one with a slot, one without) and one in Lyon.
    for (const member of [P.toulouseSoon, P.toulouseNoSlot, P.lyon]) await deps.structures.handle(structureStreamName(cpts), { type: 'AddMember', rpps: member }, ctx);
    // They take part in the SAS through the CPTS (the participation module's public event); Lyon on its own.
    for (const [member, mode] of [[P.toulouseSoon, 'cpts'], [P.toulouseNoSlot, 'cpts'], [P.lyon, 'individual']] as const) {
      await t.platform.eventStore.appendToStream(`participation.effecteur-${member}`, [
        {
          type: 'ParticipationDeclared',
          data: { effecteurId: member, mode, structureId: mode === 'cpts' ? cpts : null, acceptsEnSus: member === P.toulouseNoSlot, conventionSector: '1' },
          metadata: testMetadata(),
        },
      ]);
    }
    type Item = Card & { kind: 'practitioner' } | { kind: 'cpts'; structure: { structureId: string; kind: string; name: string; phone: string | null }; members: Card[] };
    const items = async (query: string) => ((await regulator.api(`/api/search?${query}`)).json() as Promise<{ items: Item[]; cards: number; nextCursor: string | null }>);
    // Caught up with every membership and participation above (Lyon's is the last one appended).
    await eventually(async () => {
      const lyon = (await items('departement=69&limit=50')).items.find((i) => i.kind === 'practitioner' && i.rpps === P.lyon);
      return lyon?.kind === 'practitioner' && lyon.participation?.mode === 'individual';
    });

    const around = await items('around=31555&radiusKm=12&limit=50');
    // The CPTS card stands where its best-ranked member would be (first: the Toulouse slot), holding both members in order.
    expect(around.items.map((i) => (i.kind === 'cpts' ? `cpts:${i.members.map((m) => m.rpps).join('+')}` : i.rpps))).toEqual([
      `cpts:${P.toulouseSoon}+${P.toulouseNoSlot}`,
      P.blagnacLater,
    ]);
    expect(around.cards).toBe(3);
    const card = around.items[0] as Extract<Item, { kind: 'cpts' }>;
    expect(card.structure).toEqual({ structureId: cpts, kind: 'cpts', name: 'CPTS TOULOUSE NORD', phone: '0561999999' });
    expect(card.members[0]!.slots.map((s) => s.slotId)).toEqual([slotOf.toulouseSoon]);

    // The médecin traitant stays first and alone, even when a member of the CPTS.
    const treating = await items(`around=31555&radiusKm=12&limit=50&medecinTraitant=${P.toulouseNoSlot}`);
    expect(treating.items.map((i) => (i.kind === 'cpts' ? 'cpts' : `${i.rpps}:${i.group}`))).toEqual([`${P.toulouseNoSlot}:medecin-traitant`, 'cpts', `${P.blagnacLater}:with-slots`]);

    // Structure filter, and "voir tous les professionnels de la CPTS" (wherever they practise, with slots first).
    const filtered = await items('departement=31&structureKind=cpts&limit=50');
    expect(filtered.items).toHaveLength(1);
    expect(new Set((filtered.items[0] as Extract<Item, { kind: 'cpts' }>).members.map((m) => m.rpps))).toEqual(new Set([P.toulouseSoon, P.toulouseNoSlot]));
    expect((await items('departement=31&structureKind=msp&limit=50')).items).toEqual([]);
    const flat = (list: Item[]) => list.flatMap((i) => (i.kind === 'cpts' ? i.members.map((m) => m.rpps) : [i.rpps]));
    const membersOf = (list: Item[]) => list.flatMap((i) => (i.kind === 'cpts' ? i.members.map((m) => m.rpps) : []));
    const all = await items(`structure=${cpts}&limit=50`);
    // All its members, wherever they practise; the two taking part through it on its card, in rank order (the one
    // with a slot first); Lyon, taking part on its own, apart (its place among the cards is the seeded zone order).
    expect(new Set(flat(all.items))).toEqual(new Set([P.toulouseSoon, P.lyon, P.toulouseNoSlot]));
    expect(membersOf(all.items)).toEqual([P.toulouseSoon, P.toulouseNoSlot]);
    expect(all.items.find((i) => i.kind === 'practitioner')).toMatchObject({ rpps: P.lyon, participation: { mode: 'individual' } });

    // Paging: the cursor counts place cards, the next page continues the same CPTS.
    const first = await items(`structure=${cpts}&limit=2`);
    expect(first.cards).toBe(2);
    const next = await items(`structure=${cpts}&limit=2&cursor=${first.nextCursor}`);
    expect(next.items.map((i) => (i.kind === 'cpts' ? i.members.map((m) => m.rpps) : []))).toEqual([[P.toulouseNoSlot]]);
    expect(new Set([...flat(first.items), ...flat(next.items)])).toEqual(new Set(flat(all.items)));
    expect([...membersOf(first.items), ...membersOf(next.items)]).toEqual(membersOf(all.items));

    // "En sus" and sector filters.
    expect((await items('departement=31&enSus=true&limit=50')).items.flatMap((i) => (i.kind === 'cpts' ? i.members.map((m) => m.rpps) : [i.rpps]))).toEqual([P.toulouseNoSlot]);
    expect((await items('departement=31&secteur=2&limit=50')).items).toEqual([]);

    for (const bad of ['departement=31&structureKind=club', `structure=${cpts}&departement=31`, 'structure=a%20b', 'departement=31&enSus=yes', 'departement=31&secteur=4']) {
      expect((await regulator.api(`/api/search?${bad}`)).status, bad).toBe(400);
    }
    // Leaving the CPTS ends the grouping.
    for (const member of [P.toulouseSoon, P.toulouseNoSlot, P.lyon]) await deps.structures.handle(structureStreamName(cpts), { type: 'RemoveMember', rpps: member }, ctx);
    await eventually(async () => (await items('around=31555&radiusKm=12&limit=50')).items.every((i) => i.kind === 'practitioner'));
  });

  it('lists the filières of the platform, the default first', async () => {
    const response = await regulator.api('/api/directory/filieres');
    expect(response.status).toBe(200);
    const { items } = (await response.json()) as { items: { id: string; label: string; default: boolean; consultationTypes: string[]; defaultRadiusKm: number }[] };
    expect(items[0]).toMatchObject({ id: 'medecine-generale', default: true });
    expect(items.map((f) => f.id).sort()).toEqual(['chirurgiens-dentistes', 'medecine-generale', 'psychiatrie', 'sages-femmes']);
    expect(items.every((f) => f.label.length > 0 && f.defaultRadiusKm > 0 && f.consultationTypes.length > 0)).toBe(true);
    expect((await fetch(`${t.url}/api/directory/filieres`)).status).toBe(401);
  });

  it('completes commune names', async () => {
    const response = await regulator.api('/api/directory/communes?q=st%20etienne');
    const { items } = (await response.json()) as { items: { inseeCode: string; name: string }[] };
    expect(items[0]).toMatchObject({ inseeCode: '42218', name: 'Saint-Étienne' });
    expect((await regulator.api('/api/directory/communes?q=t')).status).toBe(400);
  });

  it('refuses bad queries with problem details, and non-regulation roles', async () => {
    for (const query of ['', 'departement=31&commune=31555', 'departement=99x', 'around=31555&disponibleSous=3-5', 'departement=31&cursor=%%%', 'departement=31&filiere=astrologie', 'around=99999', 'departement=31&medecinTraitant=123']) {
      const { status } = await search(query);
      expect(status, query).toBe(400);
    }
    expect((await fetch(`${t.url}/api/search?departement=31`)).status).toBe(401);
    const effecteur = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
    expect((await effecteur.api('/api/search?departement=31')).status).toBe(403);
  });
});
