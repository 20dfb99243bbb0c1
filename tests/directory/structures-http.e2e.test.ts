/**
 * Structures over HTTP against the real platform: a gestionnaire de structure creates an SOS Médecins association
 * and manages its members; administrators; reading by département and kind; validation, 404, 409 (closed) and
 * 403 problems.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/shared-kernel/auth/principal.ts';
import { accountStreamName } from '../../src/modules/identity/contracts/identity.events.ts';
import { claimNationalId } from '../../src/modules/identity/application/accounts.service.ts';
import { IDENTITY } from '../../src/modules/identity/identity.tokens.ts';
import { structureStreamName } from '../../src/modules/directory/contracts/directory.events.ts';
import { DIRECTORY_STRUCTURES } from '../../src/modules/directory/structures.tokens.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { Browser, session, type LoggedIn } from '../support/http-browser.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const MEMBER = '10991003103';
const OTHER_MEMBER = '10000000009';

type Problem = { status: number; code: string; detail: string; errors?: { path: string; message: string }[] };
type Structure = { structureId: string; kind: string; name: string; source: string; finess: string | null; status: string; members: { rpps: string }[]; memberCount: number; canManageMembers: boolean };

describe.skipIf(!testDatabaseUrl)('structures API', () => {
  let t: TestPlatform;
  let manager: LoggedIn; // gestionnaire de structure, territory 31
  let colleague: LoggedIn; // another gestionnaire de structure of 31
  let admin: LoggedIn;
  let regulator: LoggedIn;
  let sosId: string;
  let count = 0;

  /** A real account with one role and a server-side session for it. */
  async function login(role: Role, territories: string[]): Promise<LoggedIn> {
    const deps = t.platform.containers.get('identity')!.get(IDENTITY.deps);
    const nationalId = `8${String(30000000000 + count++)}`;
    const accountId = deps.newId();
    const ctx = { actor: { accountId: 'test', role: 'test' }, correlationId: deps.newId(), now: deps.clock() };
    await claimNationalId(deps, nationalId, accountId, ctx);
    await deps.accounts.handle(
      accountStreamName(accountId),
      { type: 'CreateAccount', accountId, origin: 'regulation', givenName: 'Test', familyName: role, email: `structures-${count}@test.invalid`, nationalId, grants: [{ role, territories, effecteurIds: [] }] },
      ctx,
    );
    const { token } = await deps.sessions.create({ nationalId, accountId, givenName: 'Test', familyName: role, email: null, professionCodes: [], idToken: 'unused' });
    const browser = new Browser();
    browser.cookies.set('sas_session', token);
    return session(t.url, browser);
  }

  const json = async <T>(response: Response): Promise<T> => (await response.json()) as T;
  const get = (who: LoggedIn, path: string) => who.api(`/api/directory/structures${path}`);
  const create = (who: LoggedIn, body: unknown) => who.api('/api/directory/structures', { method: 'POST', json: body });
  const addMember = (who: LoggedIn, id: string, rpps: string) => who.api(`/api/directory/structures/${id}/members`, { method: 'POST', json: { rpps } });
  const removeMember = (who: LoggedIn, id: string, rpps: string) => who.api(`/api/directory/structures/${id}/members/${rpps}`, { method: 'DELETE' });
  const readOne = async (id: string, check: (s: Structure) => boolean, who = manager): Promise<Structure> => {
    let found: Structure | undefined;
    await eventually(async () => {
      const response = await get(who, `/${id}`);
      if (response.status !== 200) return false;
      found = await json<Structure>(response);
      return check(found);
    });
    return found!;
  };
  const head = () => t.platform.eventStore.headPosition();

  beforeAll(async () => {
    t = await startTestPlatform();
    manager = await login('gestionnaire-structure', ['31']);
    colleague = await login('gestionnaire-structure', ['31']);
    admin = await login('admin-national', []);
    regulator = await login('regulateur-osnp', ['31']);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('a gestionnaire de structure creates an SOS Médecins association in its territory and becomes its manager', async () => {
    const response = await create(manager, { kind: 'sos-medecins', name: 'SOS Médecins Toulouse', inseeCode: '31555', postcode: '31400', street: '2 rue des Urgences', phone: '05 61 00 00 00', siret: '732 829 320 00074' });
    expect(response.status).toBe(201);
    sosId = (await json<{ structureId: string }>(response)).structureId;
    expect(response.headers.get('location')).toBe(`/api/directory/structures/${sosId}`);
    const [registered, assigned] = await t.platform.eventStore.readStream(structureStreamName(sosId));
    expect(registered).toMatchObject({
      type: 'StructureRegistered',
      data: { structureId: sosId, kind: 'sos-medecins', finess: null, finessCategory: null, siret: '73282932000074', name: 'SOS Médecins Toulouse', address: { inseeCode: '31555', postcode: '31400', street: '2 rue des Urgences' }, phone: '0561000000', source: 'platform' },
    });
    expect(assigned).toMatchObject({ type: 'StructureManagerAssigned', data: { structureId: sosId, accountId: manager.me.accountId } });

    const one = await readOne(sosId, () => true);
    expect(one).toMatchObject({ kind: 'sos-medecins', source: 'platform', finess: null, siret: '73282932000074', communeName: 'Toulouse', status: 'active', members: [], canManageMembers: true, departement: '31' });
    expect(one).not.toHaveProperty('managers');
    expect((await readOne(sosId, () => true, colleague)).canManageMembers).toBe(false);
  });

  it('its manager adds and removes members by RPPS; repeating either changes nothing', async () => {
    const added = await addMember(manager, sosId, MEMBER);
    expect(added.status).toBe(201);
    expect(await json(added)).toEqual({ structureId: sosId, rpps: MEMBER });
    let before = await head();
    expect((await addMember(manager, sosId, MEMBER)).status).toBe(200);
    expect(await head()).toBe(before);
    expect((await addMember(manager, sosId, OTHER_MEMBER)).status).toBe(201);
    // Members and their count are two reads of the projection: wait until both show the change.
    const one = await readOne(sosId, (s) => s.members.length === 2 && s.memberCount === 2);
    expect(one.members.map((m) => m.rpps)).toEqual([MEMBER, OTHER_MEMBER]);
    expect(one.memberCount).toBe(2);

    expect((await removeMember(manager, sosId, OTHER_MEMBER)).status).toBe(204);
    before = await head();
    expect((await removeMember(manager, sosId, OTHER_MEMBER)).status).toBe(204);
    expect(await head()).toBe(before);
    await readOne(sosId, (s) => s.members.length === 1);
  });

  it('refuses a member that is not an RPPS, in French', async () => {
    for (const rpps of ['123', '10991003104', 'abcdefghijk']) {
      const response = await addMember(manager, sosId, rpps);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const body = await json<Problem>(response);
      expect(body.errors).toEqual([{ path: 'body.rpps', message: 'attendu : un numéro RPPS de 11 chiffres avec une clé de contrôle valide' }]);
    }
    expect((await removeMember(manager, sosId, '123')).status).toBe(400);
  });

  it('only the structure’s managers and administrators manage its members', async () => {
    expect((await addMember(colleague, sosId, OTHER_MEMBER)).status).toBe(403);
    expect((await removeMember(colleague, sosId, MEMBER)).status).toBe(403);
    expect((await addMember(regulator, sosId, OTHER_MEMBER)).status).toBe(403);
    expect((await addMember(admin, sosId, OTHER_MEMBER)).status).toBe(201);
    // An administrator makes the colleague a manager too.
    const assigned = await admin.api(`/api/directory/structures/${sosId}/managers`, { method: 'POST', json: { accountId: colleague.me.accountId } });
    expect(assigned.status).toBe(201);
    expect((await admin.api(`/api/directory/structures/${sosId}/managers`, { method: 'POST', json: { accountId: colleague.me.accountId } })).status).toBe(200);
    expect((await manager.api(`/api/directory/structures/${sosId}/managers`, { method: 'POST', json: { accountId: colleague.me.accountId } })).status).toBe(403);
    expect((await removeMember(colleague, sosId, OTHER_MEMBER)).status).toBe(204);
  });

  it('creates only in the gestionnaire’s territory; administrators create anywhere, without becoming managers', async () => {
    const lyon = { kind: 'centre-de-sante', name: 'Centre de santé de la Guillotière', inseeCode: '69123' };
    expect((await create(manager, lyon)).status).toBe(403);
    expect((await create(regulator, { ...lyon, inseeCode: '31555' })).status).toBe(403);
    const response = await create(admin, lyon);
    expect(response.status).toBe(201);
    const { structureId } = await json<{ structureId: string }>(response);
    expect((await t.platform.eventStore.readStream(structureStreamName(structureId))).map((e) => e.type)).toEqual(['StructureRegistered']);
    expect((await readOne(structureId, () => true, admin)).canManageMembers).toBe(true);
  });

  it('validates the new structure and answers with problem details in French', async () => {
    const bad = await create(admin, { kind: 'clinique', name: '', inseeCode: '20004', phone: '12', siret: '73282932000075', extra: 1 });
    expect(bad.status).toBe(400);
    const body = await json<Problem>(bad);
    expect(body.code).toBe('invalid-request');
    expect(body.errors!.map((e) => e.path).sort()).toEqual(['body', 'body.inseeCode', 'body.kind', 'body.name', 'body.phone', 'body.siret']);
    expect(body.errors!.find((e) => e.path === 'body.siret')!.message).toBe('attendu : un SIRET de 14 chiffres avec une clé de contrôle valide');
    expect((await create(admin, { kind: 'sos-medecins', name: 'SOS', inseeCode: '31555', siret: 73282932000074 })).status).toBe(400);
    expect(body.errors!.find((e) => e.path === 'body.kind')!.message).toBe('attendu : cpts, msp, centre-de-sante ou sos-medecins');
    const unknown = await create(admin, { kind: 'msp', name: 'MSP fantôme', inseeCode: '31999' });
    expect(unknown.status).toBe(400);
    expect((await json<Problem>(unknown)).detail).toMatch(/commune 31999 est inconnue/);
  });

  it('its manager changes its SIRET, phone and street (PATCH); a FINESS structure’s details are refused', async () => {
    const patch = (who: LoggedIn, id: string, body: unknown) => who.api(`/api/directory/structures/${id}`, { method: 'PATCH', json: body });
    const changed = await patch(manager, sosId, { siret: '73282932000082', phone: null, street: '4 rue des Urgences' });
    expect(changed.status).toBe(200);
    expect(await json(changed)).toEqual({ structureId: sosId, changed: true });
    const after = await readOne(sosId, (s) => (s as unknown as { siret: string }).siret === '73282932000082');
    expect(after).toMatchObject({ name: 'SOS Médecins Toulouse', phone: null, address: { inseeCode: '31555', postcode: '31400', street: '4 rue des Urgences' } });
    expect(await json(await patch(manager, sosId, { siret: '732 829 320 00082' }))).toEqual({ structureId: sosId, changed: false });
    // A SIRET names one open structure.
    const before = await head();
    const taken = await create(admin, { kind: 'sos-medecins', name: 'SOS Médecins bis', inseeCode: '31555', siret: '73282932000082' });
    expect(taken.status).toBe(409);
    expect(await json<Problem>(taken)).toMatchObject({ code: 'StructureSiretTaken', detail: `Le SIRET 73282932000082 est déjà celui de la structure « SOS Médecins Toulouse » (${sosId}).` });
    expect(await head()).toBe(before);
    expect((await patch(regulator, sosId, { siret: null })).status).toBe(403);
    const bad = await patch(manager, sosId, { siret: '123', inseeCode: '31999' });
    expect(bad.status).toBe(400);
    expect((await json<Problem>(bad)).errors!.map((e) => e.path)).toEqual(['body.siret']);
    expect((await patch(manager, sosId, { inseeCode: '31999' })).status).toBe(400);
    expect((await patch(manager, sosId, {})).status).toBe(400);
    expect((await patch(manager, sosId, { kind: 'cpts' })).status).toBe(400);
    expect((await patch(manager, randomUUID(), { phone: null })).status).toBe(404);
    const head0 = await head();
    const deps = t.platform.containers.get('directory')!.get(DIRECTORY_STRUCTURES.deps);
    const ctx = { actor: { accountId: 'test', role: 'system' }, correlationId: randomUUID(), now: new Date() };
    await deps.structures.handle(
      structureStreamName('finess-310100037'),
      { type: 'SyncFromFiness', snapshot: { structureId: 'finess-310100037', kind: 'cpts', finess: '310100037', finessCategory: '604', name: 'CPTS DU SUD', address: { inseeCode: '31555', postcode: null, street: null }, phone: null } },
      ctx,
    );
    const refused = await patch(admin, 'finess-310100037', { siret: '73282932000074' });
    expect(refused.status).toBe(409);
    expect((await json<Problem>(refused)).code).toBe('StructureFromFiness');
    expect(await head()).toBe(head0 + 1);
    await deps.structures.handle(structureStreamName('finess-310100037'), { type: 'CloseStructure', reason: 'absent-from-finess-extract' }, ctx);
  });

  it('answers 404 for an unknown structure and 400 for a malformed id', async () => {
    const missing = randomUUID();
    for (const response of [await get(manager, `/${missing}`), await addMember(admin, missing, MEMBER), await removeMember(admin, missing, MEMBER)]) {
      expect(response.status).toBe(404);
      expect(await json<Problem>(response)).toMatchObject({ code: 'StructureDoesNotExist', detail: `La structure ${missing} n’existe pas.` });
    }
    expect((await get(manager, '/finess-31')).status).toBe(400);
  });

  it('answers 409 when a closed structure is changed', async () => {
    const deps = t.platform.containers.get('directory')!.get(DIRECTORY_STRUCTURES.deps);
    const ctx = { actor: { accountId: 'test', role: 'system' }, correlationId: randomUUID(), now: new Date() };
    const id = 'finess-310100029';
    await deps.structures.handle(
      structureStreamName(id),
      { type: 'SyncFromFiness', snapshot: { structureId: id, kind: 'msp', finess: '310100029', finessCategory: '603', name: 'MSP DE BLAGNAC', address: { inseeCode: '31069', postcode: '31700', street: null }, phone: null } },
      ctx,
    );
    expect((await addMember(admin, id, MEMBER)).status).toBe(201);
    await deps.structures.handle(structureStreamName(id), { type: 'CloseStructure', reason: 'absent-from-finess-extract' }, ctx);
    for (const response of [await addMember(admin, id, OTHER_MEMBER), await removeMember(admin, id, MEMBER)]) {
      expect(response.status).toBe(409);
      expect(await json<Problem>(response)).toMatchObject({ code: 'StructureIsClosed', detail: 'La structure « MSP DE BLAGNAC » (finess-310100029) est fermée : elle ne peut plus être modifiée.' });
    }
    const closed = await readOne(id, (s) => s.status === 'closed', admin);
    expect(closed).toMatchObject({ members: [], canManageMembers: false });
  });

  it('lists structures by département and kind, with pagination, for any logged-in account', async () => {
    await eventually(async () => (await json<{ items: Structure[] }>(await get(regulator, '?departement=31'))).items.length === 1);
    const sos = await json<{ items: Structure[]; nextCursor: string | null }>(await get(regulator, '?departement=31&kind=sos-medecins'));
    expect(sos.items.map((s) => s.structureId)).toEqual([sosId]);
    expect(sos.items[0]).toMatchObject({ name: 'SOS Médecins Toulouse', communeName: 'Toulouse', memberCount: 1, address: { inseeCode: '31555' } });
    expect(sos.nextCursor).toBeNull();
    const closed = await json<{ items: Structure[] }>(await get(regulator, '?status=closed'));
    expect(closed.items.map((s) => s.structureId)).toEqual(['finess-310100037', 'finess-310100029']); // by name: CPTS DU SUD, MSP DE BLAGNAC
    const page = await json<{ items: Structure[]; nextCursor: string }>(await get(regulator, '?limit=1'));
    expect(page.items).toHaveLength(1);
    const rest = await json<{ items: Structure[] }>(await get(regulator, `?limit=10&cursor=${page.nextCursor}`));
    expect([...page.items, ...rest.items].map((s) => s.structureId).sort()).toHaveLength(2);
    expect((await get(regulator, '?departement=310')).status).toBe(400);
    expect((await get(regulator, '?kind=hopital')).status).toBe(400);
    expect((await get(regulator, '?cursor=zzz')).status).toBe(400);
    expect((await fetch(`${t.url}/api/directory/structures`)).status).toBe(401);
  });

  it('lists the structures the caller manages (managedBy=me), wherever they are', async () => {
    // The manager created the SOS association of 31 (and manages it), the colleague was made its manager by an
    // administrator, a newcomer manages none; the administrator created the Lyon one without becoming its manager.
    const mine = await json<{ items: Structure[] }>(await get(manager, '?managedBy=me'));
    expect(mine.items.map((s) => s.structureId)).toEqual([sosId]);
    expect((await json<{ items: Structure[] }>(await get(colleague, '?managedBy=me'))).items.map((s) => s.structureId)).toEqual([sosId]);
    const newcomer = await login('gestionnaire-structure', ['31']);
    expect((await json<{ items: Structure[] }>(await get(newcomer, '?managedBy=me'))).items).toEqual([]);
    expect((await json<{ items: Structure[] }>(await get(admin, '?managedBy=me'))).items).toEqual([]);
    expect((await json<{ items: Structure[] }>(await get(manager, '?managedBy=me&kind=cpts'))).items).toEqual([]);
    const refused = await get(manager, '?managedBy=someone-else');
    expect(refused.status).toBe(400);
    expect((await json<Problem>(refused)).errors?.[0]?.path).toBe('query.managedBy');
  });
});
