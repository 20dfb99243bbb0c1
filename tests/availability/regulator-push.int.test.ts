/**
 * Regulator accounts pushed to the end-to-end booking vendors (INT_R02), against real vendor simulators on loopback,
 * the real platform on PostgreSQL and BullMQ on the test Redis: an account created by the gestionnaire de comptes is
 * created at every end-to-end vendor, linking it to Pro Santé Connect updates it (IDNPS, name), deactivating it sets
 * `active=false`, a role granted or revoked pushes or deactivates it; an aggregation-only vendor and a non-regulator
 * account are never pushed; a vendor that is down leaves the push retrying or failed, then sent once it is back
 * (automatically or by the manual retry); a replayed history or job sends nothing new and never a second account; the
 * status route refuses bad input with problem details. The same on the embedded default (PGlite, in-process jobs).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVAILABILITY } from '../../src/modules/availability/availability.tokens.ts';
import { pushRegulator, PUSH_ATTEMPTS, REGULATOR_PUSH_QUEUE, type RegulatorPushDeps } from '../../src/modules/availability/application/regulator-push/regulator-push.job.ts';
import { REGULATOR_PUSH_REACTOR } from '../../src/modules/availability/application/regulator-push/regulator-push.reactor.ts';
import type { RegulatorPushView } from '../../src/modules/availability/application/regulator-push/regulator-push.routes.ts';
import { regulatorIssues } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.regulators.ts';
import { createVendorSimulator, type VendorSimulator } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.server.ts';
import { accountStreamName } from '../../src/modules/identity/contracts/identity.events.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { IDENTITY } from '../../src/modules/identity/identity.tokens.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { testRedisUrl } from '../support/redis.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const IDNPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';
const SAS_SYSTEM = 'urn:oid:1.2.250.1.213.3.6';
const run = Date.now().toString(36);
const ids = { a: `push-a-${run}`, b: `push-b-${run}`, c: `push-c-${run}` };

type Json = Record<string, any>;
type Stored = { id: string; resource: Json; version: number };

const found = async (sim: VendorSimulator, system: string, value: string): Promise<Json[]> => {
  const response = await fetch(`${sim.fhirBaseUrl}/Practitioner?identifier=${encodeURIComponent(`${system}|${value}`)}`);
  const bundle = (await response.json()) as Json;
  return ((bundle.entry ?? []) as Json[]).map((e) => e.resource as Json);
};
const byAccount = (sim: VendorSimulator, accountId: string) => found(sim, SAS_SYSTEM, accountId);
const regulatorsAt = async (sim: VendorSimulator): Promise<Stored[]> => (await fetch(`${sim.url}/_sim/regulators`)).json() as Promise<Stored[]>;
const practitionerRequests = async (sim: VendorSimulator) =>
  ((await (await fetch(`${sim.url}/_sim/requests`)).json()) as { method: string; url: string }[]).filter((r) => r.url.includes('/Practitioner'));

describe.skipIf(!testDatabaseUrl || !testRedisUrl)('regulator accounts pushed to the end-to-end vendors (INT_R02)', () => {
  const sims: Record<'a' | 'b' | 'c', VendorSimulator> = {} as never;
  let t: TestPlatform;
  let manager: LoggedIn;
  const deps = (): RegulatorPushDeps => ({ ...t.platform.containers.get('availability')!.get(AVAILABILITY.aggregation), jobs: t.platform.jobs });
  const identity = () => t.platform.containers.get('identity')!.get(IDENTITY.deps);
  /** The status route's answer; null while the account is not known yet (404: the reactor has not seen it). */
  const statusOf = async (accountId: string): Promise<RegulatorPushView | null> => {
    const response = await manager.api(`/api/vendors/regulator-push?accountId=${accountId}`);
    if (response.status === 404) return null;
    expect(response.status).toBe(200);
    return (await response.json()) as RegulatorPushView;
  };
  const pushStatus = async (accountId: string): Promise<RegulatorPushView> => {
    const view = await statusOf(accountId);
    expect(view).not.toBeNull();
    return view!;
  };
  const allSent = async (accountId: string, active = true) => (await statusOf(accountId))?.vendors.every((v) => v.status === 'sent' && v.sentActive === active) === true;
  const statusAt = async (accountId: string, vendorId: string) => (await statusOf(accountId))?.vendors.find((v) => v.vendorId === vendorId);
  let counter = 0;
  const createRegulator = async (role: 'regulateur-osnp' | 'ioa' = 'regulateur-osnp', names = { givenName: 'Inès', familyName: `Garcia-${counter}` }) => {
    const email = `regulateur-${run}-${counter++}@sas.test`;
    const response = await manager.api('/api/identity/accounts', { method: 'POST', json: { ...names, email, role, territory: '31' } });
    expect(response.status).toBe(201);
    return { accountId: ((await response.json()) as { accountId: string }).accountId, email };
  };
  const command = (accountId: string, cmd: Json) =>
    identity().accounts.handle(accountStreamName(accountId), cmd as never, { actor: { accountId: 'test', role: 'test' }, correlationId: identity().newId(), now: new Date() });
  /** Waits until no push job of this platform is waiting, delayed or running. */
  const queueIdle = () =>
    eventually(async () => {
      const stats = (await t.platform.jobs.stats()).find((s) => s.queue === REGULATOR_PUSH_QUEUE);
      // One delayed job stays: the sweep's next occurrence.
      return !stats || (stats.counts.waiting + stats.counts.active === 0 && stats.counts.delayed <= 1);
    }, 20_000, 50);

  beforeAll(async () => {
    sims.a = await createVendorSimulator({ vendor: 'Agenda A', practitioners: 0, sosMedecins: 0, cpts: 0 });
    sims.b = await createVendorSimulator({ vendor: 'Agenda B', practitioners: 0, sosMedecins: 0, cpts: 0, capability: 'aggregation' });
    sims.c = await createVendorSimulator({ vendor: 'Agenda C', practitioners: 0, sosMedecins: 0, cpts: 0 });
    const vendor = (key: 'a' | 'b' | 'c', extra: Json = {}) => ({
      id: ids[key],
      name: `Éditeur ${key.toUpperCase()}`,
      fhirBaseUrl: sims[key].fhirBaseUrl,
      capability: 'end-to-end',
      practitioners: [],
      pollingPeriodMs: 3_600_000,
      timeoutMs: 2_000,
      retries: 1,
      retryDelayMs: 20,
      ...extra,
    });
    const dir = mkdtempSync(join(tmpdir(), 'sas-vendors-'));
    const file = join(dir, 'vendors.json');
    // C: no retry inside an attempt, so that its attempts (20 ms × 4ⁿ apart) show in the status.
    writeFileSync(file, JSON.stringify({ vendors: [vendor('a'), vendor('b', { capability: 'aggregation' }), vendor('c', { retries: 0 })] }));
    // A Redis database of its own: the platforms of other test files (same queue names) never take this one's jobs.
    const redis = new URL(testRedisUrl!);
    redis.pathname = '/7';
    t = await startTestPlatform({ env: { REDIS_URL: redis.toString(), DEMO_DATA: 'true', VENDORS_FILE: file } });
    manager = await loginAs(t.url, demoIdentityByRole('gestionnaire-comptes').nationalId);
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    for (const sim of Object.values(sims)) await sim?.stop();
  });

  it('pushes the demo regulator, IOA and the OSNP waiting to be linked to each end-to-end vendor, and no other account', async () => {
    const camille = demoIdentityByRole('regulateur-osnp');
    const julien = demoIdentityByRole('ioa');
    const lea = demoIdentityByRole('nouvelle-osnp');
    for (const sim of [sims.a, sims.c]) {
      await eventually(async () => (await regulatorsAt(sim)).length === 3, 20_000, 50);
      const [regulator] = await found(sim, IDNPS_SYSTEM, camille.nationalId);
      expect(regulator).toMatchObject({ active: true, name: [{ family: camille.familyName, given: [camille.givenName] }], telecom: [{ system: 'email', value: camille.email }] });
      expect(regulatorIssues(regulator)).toEqual([]);
      expect(await found(sim, IDNPS_SYSTEM, julien.nationalId)).toHaveLength(1);
      // Not linked yet: known by its SAS technical id only.
      const pending = (await regulatorsAt(sim)).find((r) => r.resource.telecom[0].value === lea.email)!;
      expect(pending.resource.identifier.map((i: Json) => i.system)).toEqual([SAS_SYSTEM]);
      for (const role of ['effecteur', 'gestionnaire-comptes', 'admin-national', 'referent-territorial', 'delegataire'] as const) {
        expect(await found(sim, IDNPS_SYSTEM, demoIdentityByRole(role).nationalId)).toEqual([]);
      }
    }
    // The aggregation-only vendor receives nothing.
    expect(await regulatorsAt(sims.b)).toEqual([]);
    expect(await practitionerRequests(sims.b)).toEqual([]);
  });

  it('creates the account at the vendors when it is created, updates it when it is linked, and deactivates it, always as one account', async () => {
    const { accountId, email } = await createRegulator('regulateur-osnp', { givenName: 'Inès', familyName: 'Garcia' });
    await eventually(async () => (await byAccount(sims.a, accountId)).length === 1 && (await byAccount(sims.c, accountId)).length === 1, 20_000, 50);
    const [created] = await byAccount(sims.a, accountId);
    expect(created).toMatchObject({ resourceType: 'Practitioner', meta: { source: SAS_SYSTEM }, active: true, name: [{ family: 'Garcia', given: ['Inès'] }], telecom: [{ system: 'email', value: email }] });
    expect(created!.identifier).toEqual([{ type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'INTRN' }] }, system: SAS_SYSTEM, value: accountId }]);
    await eventually(() => allSent(accountId), 10_000, 50);
    const status = await pushStatus(accountId);
    expect(status).toMatchObject({ accountId, regulator: true, activeAtVendors: true });
    expect(status.vendors.map((v) => v.vendorId)).toEqual([ids.a, ids.c]);
    expect(status.vendors.every((v) => v.sentActive === true && v.sentAt !== null && v.lastError === null)).toBe(true);

    // First login of the OSNP: linked to Pro Santé Connect with its IDNPS and the name it gives.
    const lea = demoIdentityByRole('nouvelle-osnp');
    await eventually(async () => (await t.platform.readDb.query('SELECT 1 FROM identity_accounts WHERE email = $1', [email])).rows.length === 1);
    const osnp = await loginAs(t.url, lea.nationalId);
    expect((await osnp.api('/api/identity/link', { method: 'POST', json: { givenName: 'Inès-Marie', familyName: 'GARCIA LOPEZ', email } })).status).toBe(200);
    await eventually(async () => (await byAccount(sims.a, accountId))[0]?.name[0].family === 'GARCIA LOPEZ' && (await byAccount(sims.c, accountId))[0]?.name[0].family === 'GARCIA LOPEZ', 20_000, 50);
    const [updated] = await found(sims.a, IDNPS_SYSTEM, lea.nationalId);
    expect(updated).toMatchObject({ id: created!.id, active: true, name: [{ family: 'GARCIA LOPEZ', given: ['Inès-Marie'] }] });
    expect(updated!.identifier.map((i: Json) => `${i.system}|${i.value}`)).toEqual([`${IDNPS_SYSTEM}|${lea.nationalId}`, `${SAS_SYSTEM}|${accountId}`]);

    // Deactivated by its gestionnaire de comptes: active=false at every end-to-end vendor, the same account.
    expect((await manager.api(`/api/identity/accounts/${accountId}/deactivate`, { method: 'POST', json: {} })).status).toBe(204);
    for (const sim of [sims.a, sims.c]) {
      await eventually(async () => (await byAccount(sim, accountId))[0]?.active === false, 20_000, 50);
      expect((await regulatorsAt(sim)).filter((r) => r.resource.identifier.some((i: Json) => i.value === accountId))).toHaveLength(1);
    }
    await eventually(() => allSent(accountId, false), 10_000, 50);
    expect((await pushStatus(accountId)).activeAtVendors).toBe(false);
    expect(await regulatorsAt(sims.b)).toEqual([]);
  });

  it('pushes an account when it is granted a regulation role and deactivates it at the vendors when the role is revoked; never another role', async () => {
    const accountId = identity().newId();
    await command(accountId, { type: 'CreateAccount', accountId, origin: 'regulation', givenName: 'Paul', familyName: 'Martin', email: `paul-${run}@sas.test`, grants: [{ role: 'gestionnaire-comptes', territories: ['31'], effecteurIds: [] }] });
    await command(accountId, { type: 'GrantRole', grant: { role: 'referent-territorial', territories: ['31'], effecteurIds: [] } });
    await eventually(async () => (await statusOf(accountId)) !== null);
    await queueIdle();
    expect(await byAccount(sims.a, accountId)).toEqual([]);
    expect((await pushStatus(accountId)).vendors.every((v) => v.status === 'not-sent')).toBe(true);
    expect((await manager.api(`/api/vendors/regulator-push/${accountId}/retry`, { method: 'POST', json: {} })).status).toBe(409);

    await command(accountId, { type: 'GrantRole', grant: { role: 'ioa', territories: ['31'], effecteurIds: [] } });
    await eventually(async () => (await byAccount(sims.a, accountId))[0]?.active === true, 20_000, 50);
    await command(accountId, { type: 'RevokeRole', role: 'ioa' });
    await eventually(async () => (await byAccount(sims.a, accountId))[0]?.active === false && (await byAccount(sims.c, accountId))[0]?.active === false, 20_000, 50);
    expect((await pushStatus(accountId)).regulator).toBe(false);
  });

  it('sends nothing new when the history is replayed or a job runs again, and never a second account', async () => {
    const { accountId } = await createRegulator('ioa');
    await eventually(() => allSent(accountId), 20_000, 50);
    await queueIdle();
    const before = { a: (await practitionerRequests(sims.a)).length, c: (await practitionerRequests(sims.c)).length };

    // The reactor replays every account event from the start (a rebuild), then a job for this account runs again.
    await t.platform.projections.rebuild(REGULATOR_PUSH_REACTOR);
    await queueIdle();
    await pushRegulator(deps(), { accountId, vendorId: ids.a, attempt: 1, trigger: 'replay', force: false });
    expect((await practitionerRequests(sims.a)).length).toBe(before.a);
    expect((await practitionerRequests(sims.c)).length).toBe(before.c);

    // A job replayed after a crash between the PUT and its record sends the same PUT again: the same account is updated.
    const [stored] = (await regulatorsAt(sims.a)).filter((r) => r.resource.identifier.some((i: Json) => i.value === accountId));
    await pushRegulator(deps(), { accountId, vendorId: ids.a, attempt: 1, trigger: 'crash', force: true });
    const after = (await regulatorsAt(sims.a)).filter((r) => r.resource.identifier.some((i: Json) => i.value === accountId));
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ id: stored!.id, version: stored!.version + 1 });
    expect((await practitionerRequests(sims.a)).length).toBe(before.a + 1);
  });

  it('keeps retrying while a vendor is down and sends once it is back', async () => {
    sims.c.setSwitches({ errorRate: 1, errorStatus: 503 });
    try {
      const { accountId } = await createRegulator();
      await eventually(async () => (await statusAt(accountId, ids.c))?.status === 'retrying', 10_000, 10);
      const retrying = (await statusAt(accountId, ids.c))!;
      expect(retrying.lastError).toContain('503');
      expect(retrying.lastAttemptAt).not.toBeNull();
      expect(retrying.nextAttemptAt).not.toBeNull();
      expect(retrying.sentActive).toBeNull();
      // The other vendor is not held back.
      await eventually(async () => (await statusAt(accountId, ids.a))?.status === 'sent', 10_000, 50);
      sims.c.setSwitches({ errorRate: 0 });
      await eventually(async () => (await statusAt(accountId, ids.c))?.status === 'sent', 20_000, 50);
      expect(await byAccount(sims.c, accountId)).toHaveLength(1);
      expect((await statusAt(accountId, ids.c))!.lastError).toBeNull();
    } finally {
      sims.c.setSwitches({ errorRate: 0 });
    }
  });

  it('marks the push failed with the error after its last attempt, and the gestionnaire de comptes retries it', async () => {
    sims.c.setSwitches({ errorRate: 1, errorStatus: 500 });
    let accountId = '';
    try {
      ({ accountId } = await createRegulator());
      await eventually(async () => (await statusAt(accountId, ids.c))?.status === 'failed', 30_000, 50);
      const failed = (await statusAt(accountId, ids.c))!;
      expect(failed).toMatchObject({ attempts: PUSH_ATTEMPTS, sentActive: null, nextAttemptAt: null });
      expect(failed.lastError).toContain('HTTP 500');
      expect(await byAccount(sims.c, accountId)).toEqual([]);
    } finally {
      sims.c.setSwitches({ errorRate: 0 });
    }
    const retried = await manager.api(`/api/vendors/regulator-push/${accountId}/retry`, { method: 'POST', json: { vendorId: ids.c } });
    expect(retried.status).toBe(202);
    expect(((await retried.json()) as { enqueued: string[] }).enqueued).toEqual([ids.c]);
    await eventually(async () => (await statusAt(accountId, ids.c))?.status === 'sent', 20_000, 50);
    expect(await byAccount(sims.c, accountId)).toHaveLength(1);
  });

  it('refuses bad requests with problem details and changes nothing', async () => {
    const { accountId } = await createRegulator();
    await eventually(async () => (await statusOf(accountId)) !== null);
    const cases: [string, { method?: string; json?: unknown }, number, string][] = [
      ['/api/vendors/regulator-push?accountId=pas-un-uuid', {}, 400, 'invalid-request'],
      ['/api/vendors/regulator-push', {}, 400, 'invalid-request'],
      [`/api/vendors/regulator-push?accountId=${accountId}&extra=1`, {}, 400, 'invalid-request'],
      [`/api/vendors/regulator-push?accountId=${crypto.randomUUID()}`, {}, 404, 'AccountDoesNotExist'],
      [`/api/vendors/regulator-push/${accountId}/retry`, { method: 'POST', json: { vendorId: 'inconnu' } }, 404, 'VendorDoesNotExist'],
      [`/api/vendors/regulator-push/${accountId}/retry`, { method: 'POST', json: { vendorId: ids.b } }, 409, 'VendorIsNotEndToEnd'],
      [`/api/vendors/regulator-push/${accountId}/retry`, { method: 'POST', json: { force: true } }, 400, 'invalid-request'],
      ['/api/vendors/regulator-push/pas-un-uuid/retry', { method: 'POST', json: {} }, 400, 'invalid-request'],
    ];
    await queueIdle();
    const before = (await practitionerRequests(sims.a)).length;
    for (const [path, init, status, code] of cases) {
      const response = await manager.api(path, init);
      expect(response.status, path).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { code: string }).code).toBe(code);
    }
    await queueIdle();
    expect((await practitionerRequests(sims.a)).length).toBe(before);
    // A gestionnaire de comptes of another territory, a regulator: refused.
    const regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    expect((await regulator.api(`/api/vendors/regulator-push?accountId=${accountId}`)).status).toBe(403);
  });
});

describe('regulator push on the embedded default (PGlite, in-process jobs)', () => {
  let sim: VendorSimulator;
  let t: TestPlatform;

  beforeAll(async () => {
    sim = await createVendorSimulator({ vendor: 'Agenda E', practitioners: 0, sosMedecins: 0, cpts: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'sas-embedded-push-'));
    const file = join(dir, 'vendors.json');
    writeFileSync(file, JSON.stringify({ vendors: [{ id: 'editeur-e', name: 'Éditeur E', fhirBaseUrl: sim.fhirBaseUrl, capability: 'end-to-end', practitioners: [], pollingPeriodMs: 3_600_000 }] }));
    t = await startTestPlatform({ env: { DATA_DIR: join(dir, 'data'), DEMO_DATA: 'true', VENDORS_FILE: file } });
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await sim?.stop();
  });

  it('creates the demo regulators at the vendor and deactivates one when its gestionnaire de comptes does', async () => {
    await eventually(async () => (await regulatorsAt(sim)).length === 3, 20_000, 50);
    const manager = await loginAs(t.url, demoIdentityByRole('gestionnaire-comptes').nationalId);
    const { items } = (await (await manager.api('/api/identity/accounts?territory=31')).json()) as { items: { accountId: string; nationalId: string | null }[] };
    const camille = items.find((a) => a.nationalId === demoIdentityByRole('regulateur-osnp').nationalId)!;
    expect((await manager.api(`/api/identity/accounts/${camille.accountId}/deactivate`, { method: 'POST', json: {} })).status).toBe(204);
    await eventually(async () => (await byAccount(sim, camille.accountId))[0]?.active === false, 20_000, 50);
    const status = (await (await manager.api(`/api/vendors/regulator-push?accountId=${camille.accountId}`)).json()) as RegulatorPushView;
    expect(status.vendors).toMatchObject([{ vendorId: 'editeur-e', status: 'sent', sentActive: false }]);
  });
});
