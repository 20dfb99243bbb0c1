/**
 * End-to-end booking through a vendor (issue #5 part 6) against the real HTTP server, PostgreSQL, the in-process job
 * queue and real vendor simulators on loopback: aggregation publishes a slot of an end-to-end vendor (bookingMode
 * end-to-end), GET /api/slots/{id}/vendor-booking answers 303 to the simulator's booking page with origin=sas…,
 * booking on that page makes the simulator POST the FrAppointmentSAS to /fhir/Appointment, and the slot is booked
 * (SlotBooked, source vendor) and leaves the free slots. An aggregation-only vendor's slot and a manual slot get 409
 * saying how to book instead; an unknown slot 404; other roles 403. Then the embedded default (`npm start` on a small
 * département): the simulator is an end-to-end vendor, its demo machine client exists and the appointments it reports
 * book the platform's slots — after a restart too (a fresh secret each start).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AVAILABILITY } from '../../src/modules/availability/availability.tokens.ts';
import { pollVendor } from '../../src/modules/availability/application/aggregate-vendor-slots/aggregate-vendor-slots.job.ts';
import { slotStreamName, type SlotBooked, type SlotPublished } from '../../src/modules/availability/contracts/availability.events.ts';
import { vendorSlotId } from '../../src/modules/availability/domain/vendor-slot-id.ts';
import { EMBEDDED_VENDOR_ID } from '../../src/modules/availability/infrastructure/vendors/embedded-vendor.ts';
import { simRpps } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.data.ts';
import { createVendorSimulator, type VendorSimulator } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.server.ts';
import { searchWindow } from '../../src/modules/availability/infrastructure/vendors/vendor-search.ts';
import { clientStreamName } from '../../src/modules/identity/contracts/identity.events.ts';
import { IDENTITY } from '../../src/modules/identity/identity.tokens.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { hashSecret, newClientSecret } from '../../src/modules/identity/infrastructure/client-secrets.ts';
import { DEMO_SOS_MEDECINS_SIRET } from '../../src/shared-kernel/ids/siret.id.ts';
import { createLogger } from '../../src/shared-kernel/logging/logger.ts';
import type { TestPlatform } from '../support/test-platform.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { eventually, startTestPlatform } from '../support/test-platform.ts';

const DUBOIS = '10000000009'; // the demo effecteur (DEMO_DATA), served by the end-to-end vendor
const run = Date.now().toString(36);
const E2E = `editeur-e2e-${run}`;
const AGG = `editeur-agg-${run}`;

type SimSlotView = { id: string; owner: { kind: string; rpps?: string }; start: string; end: string; shownBySas: boolean; status: string; comment: string };
type Problem = { type?: string; title?: string; status: number; detail: string; code: string };

const simGet = async <T,>(sim: VendorSimulator | string, path: string): Promise<T> => (await fetch(`${typeof sim === 'string' ? sim : sim.url}/_sim${path}`)).json() as Promise<T>;

/** A free slot of `rpps` the SAS may show, starting in more than an hour and inside the aggregation window. */
async function bookableSimSlot(simUrl: string, rpps?: string, exclude: ReadonlySet<string> = new Set()): Promise<SimSlotView> {
  const w = searchWindow(new Date());
  const slots = await simGet<SimSlotView[]>(simUrl, `/slots?status=free${rpps ? `&rpps=${rpps}` : ''}`);
  const slot = slots.find((s) => !exclude.has(s.id) && s.owner.kind === 'practitioner' && s.shownBySas && Date.parse(s.start) > Date.now() + 3_600_000 && Date.parse(s.start) <= w.to.getTime());
  if (!slot) throw new Error(`no bookable slot at ${simUrl}`);
  return slot;
}

async function listed(as: LoggedIn, rpps: string, slotId: string): Promise<boolean> {
  const response = await as.api(`/api/availability/slots?effecteurId=${rpps}&limit=500`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: { slotId: string }[] }).items.some((s) => s.slotId === slotId);
}

/**
 * The regulator on the vendor's page (reached by the redirect): picks `simSlotId` and submits the booking form as the
 * page offers it (the regulators pushed to the vendor, else the SAS account id). Answers the confirmation page.
 */
async function bookOnVendorPage(pageUrl: string, simSlotId: string, fallbackOperator: string): Promise<{ status: number; html: string }> {
  const page = await fetch(pageUrl);
  const html = await page.text();
  expect(page.status, html).toBe(200);
  const form = html.split('<form').find((chunk) => chunk.includes(`name="slot" value="${simSlotId}"`));
  expect(form, `the vendor page offers slot ${simSlotId}`).toBeDefined();
  const action = /action="([^"]+)"/.exec(form!)![1]!;
  const fields = new URLSearchParams();
  for (const input of form!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(input[1]!, input[2]!);
  const option = /<select name="operator"[^>]*><option value="([^"]+)"/.exec(form!);
  fields.set('operator', option ? option[1]! : fallbackOperator);
  const response = await fetch(new URL(action, pageUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() });
  return { status: response.status, html: await response.text() };
}

async function expectProblem(response: Response, status: number, code: string): Promise<Problem> {
  const body = (await response.json()) as Problem;
  expect(response.status, JSON.stringify(body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(body.code).toBe(code);
  expect(response.headers.get('location')).toBeNull();
  return body;
}

describe.skipIf(!testDatabaseUrl)('end-to-end booking through a vendor', () => {
  let e2e: VendorSimulator;
  let agg: VendorSimulator;
  let t: TestPlatform;
  let regulator: LoggedIn;
  let ioa: LoggedIn;
  let effecteur: LoggedIn;
  const deps = () => t.platform.containers.get('availability')!.get(AVAILABILITY.aggregation);
  const head = () => t.platform.eventStore.headPosition();

  beforeAll(async () => {
    e2e = await createVendorSimulator({ vendor: 'Agenda bout en bout', seed: 11, practitioners: [DUBOIS, simRpps(1), simRpps(2)], capability: 'end-to-end' });
    agg = await createVendorSimulator({ vendor: 'Agenda partagé', seed: 12, practitioners: [simRpps(3), simRpps(4)], capability: 'aggregation' });
    const vendor = (id: string, sim: VendorSimulator, extra: Record<string, unknown> = {}) => ({
      id,
      name: id === E2E ? 'Agenda bout en bout' : 'Agenda partagé',
      fhirBaseUrl: sim.fhirBaseUrl,
      capability: sim.capability,
      practitioners: [...sim.practitioners],
      pollingPeriodMs: 3_600_000,
      timeoutMs: 2_000,
      ...extra,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'sas-vendors-')), 'vendors.json');
    writeFileSync(file, JSON.stringify({ vendors: [vendor(E2E, e2e, { bookingOrigin: 'sas-integration' }), vendor(AGG, agg)] }));
    t = await startTestPlatform({ env: { DEMO_DATA: 'true', VENDORS_FILE: file } });
    // The end-to-end vendor is a machine client of the platform (kind vendor) and reports appointments to it.
    const identity = t.platform.containers.get('identity')!.get(IDENTITY.deps);
    const secret = newClientSecret();
    const ctx = { actor: { accountId: 'test', role: 'test' }, correlationId: randomUUID(), now: new Date() };
    await identity.clients.handle(clientStreamName(E2E), { type: 'RegisterClient', clientId: E2E, kind: 'vendor', name: E2E, secretHash: await hashSecret(secret) }, ctx);
    e2e.setAppointments({ endpoint: `${t.url}/fhir`, authorization: `Basic ${Buffer.from(`${E2E}:${secret}`).toString('base64')}` });
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    ioa = await loginAs(t.url, demoIdentityByRole('ioa').nationalId);
    effecteur = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
    for (const id of [E2E, AGG]) {
      const outcomes = await pollVendor(deps(), id);
      expect(outcomes.every((o) => o.status === 'applied'), JSON.stringify(outcomes)).toBe(true);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await e2e?.stop();
    await agg?.stop();
  });

  it('redirects to the vendor’s booking page with origin; booking there reports the appointment and books the slot (SlotBooked, source vendor)', async () => {
    const simSlot = await bookableSimSlot(e2e.url, DUBOIS);
    const slotId = vendorSlotId(E2E, simSlot.id);
    await eventually(() => listed(regulator, DUBOIS, slotId));
    const [published] = await t.platform.eventStore.readStream(slotStreamName(slotId));
    expect((published as unknown as SlotPublished).data).toMatchObject({ slotId, source: 'vendor', bookingMode: 'end-to-end' });

    // The redirect: a 303 to Slot.comment with origin appended, and nothing else in the URL; nothing appended.
    const before = await head();
    const redirect = await regulator.api(`/api/slots/${slotId}/vendor-booking`);
    expect(redirect.status, await redirect.clone().text()).toBe(303);
    const location = new URL(redirect.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(simSlot.comment);
    expect(location.pathname).toBe(`/agenda/8${DUBOIS}`);
    expect([...location.searchParams]).toEqual([['origin', 'sas-integration']]);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    expect(await head()).toBe(before);
    // An IOA is sent there too.
    expect((await ioa.api(`/api/slots/${slotId}/vendor-booking`)).status).toBe(303);

    // On the vendor's page, the regulator books: the simulator POSTs the Appointment to /fhir/Appointment.
    const booked = await bookOnVendorPage(location.href, simSlot.id, regulator.me.accountId!);
    expect(booked.status, booked.html).toBe(201);
    expect(booked.html).toContain('data-notification="201"');
    const events = await t.platform.eventStore.readStream(slotStreamName(slotId));
    expect(events.map((e) => e.type)).toEqual(['SlotPublished', 'SlotBooked', 'VendorAppointmentRecorded']);
    expect((events[1] as unknown as SlotBooked).data).toMatchObject({ slotId, effecteurId: DUBOIS, source: 'vendor', remainingPlaces: 0 });
    expect(events[1]!.metadata.actor).toEqual({ accountId: `client:${E2E}`, role: 'vendor' });
    await eventually(async () => !(await listed(regulator, DUBOIS, slotId)));

    // Booked now: no second trip to the vendor; the next poll does not publish it again.
    const again = await expectProblem(await regulator.api(`/api/slots/${slotId}/vendor-booking`), 409, 'SlotAlreadyBooked');
    expect(again.detail).toMatch(/déjà réservé/);
    const afterBooking = await head();
    expect((await pollVendor(deps(), E2E)).every((o) => o.status === 'applied')).toBe(true);
    expect((await t.platform.eventStore.readStream(slotStreamName(slotId))).length).toBe(3);
    expect(await head()).toBeGreaterThanOrEqual(afterBooking);
  });

  it('refuses an aggregation-only vendor’s slot with 409: call the practitioner (its slots carry bookingMode phone)', async () => {
    const simSlot = await bookableSimSlot(agg.url);
    const slotId = vendorSlotId(AGG, simSlot.id);
    await eventually(() => listed(regulator, simSlot.owner.rpps!, slotId));
    const [published] = await t.platform.eventStore.readStream(slotStreamName(slotId));
    expect((published as unknown as SlotPublished).data).toMatchObject({ source: 'vendor', bookingMode: 'phone' });
    const before = await head();
    const problem = await expectProblem(await regulator.api(`/api/slots/${slotId}/vendor-booking`), 409, 'VendorOffersNoEndToEndBooking');
    expect(problem.detail).toMatch(/appelez le professionnel/);
    expect(await head()).toBe(before);
  });

  it('refuses a manual slot with 409: call the doctor, then book it on the platform', async () => {
    const start = new Date(Math.ceil((Date.now() + 5 * 3_600_000) / 60_000) * 60_000);
    const created = await effecteur.api('/api/availability/slots', { method: 'POST', json: { effecteurId: DUBOIS, start: start.toISOString(), end: new Date(start.getTime() + 20 * 60_000).toISOString() } });
    expect(created.status, await created.clone().text()).toBe(201);
    const { slotId } = (await created.json()) as { slotId: string };
    const problem = await expectProblem(await regulator.api(`/api/slots/${slotId}/vendor-booking`), 409, 'SlotIsBookedOnThePlatform');
    expect(problem.detail).toMatch(/appelez le professionnel, puis réservez-le sur la plateforme/);
    // Indexed or not yet, the answer is the same.
    await eventually(async () => (await t.platform.readDb.query('SELECT 1 FROM availability_slot_index WHERE slot_id = $1', [slotId])).rows.length === 1);
    await expectProblem(await regulator.api(`/api/slots/${slotId}/vendor-booking`), 409, 'SlotIsBookedOnThePlatform');
  });

  it('answers 404 for an unknown slot, 400 for a malformed id or any query parameter (no patient data travels), 403 for other roles, 401 anonymous', async () => {
    await expectProblem(await regulator.api(`/api/slots/${randomUUID()}/vendor-booking`), 404, 'SlotDoesNotExist');
    expect((await regulator.api('/api/slots/not-a-slot/vendor-booking')).status).toBe(400);
    const simSlot = await bookableSimSlot(e2e.url, simRpps(1));
    const slotId = vendorSlotId(E2E, simSlot.id);
    await eventually(() => listed(regulator, simRpps(1), slotId));
    const withQuery = await regulator.api(`/api/slots/${slotId}/vendor-booking?patient=Martin`);
    expect(withQuery.status).toBe(400);
    expect(withQuery.headers.get('location')).toBeNull();
    const forbidden = await effecteur.api(`/api/slots/${slotId}/vendor-booking`);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('location')).toBeNull();
    const anonymous = await fetch(`${t.url}/api/slots/${slotId}/vendor-booking`, { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
    // The regulator still gets its redirect.
    expect((await regulator.api(`/api/slots/${slotId}/vendor-booking`)).status).toBe(303);
  });
});

describe.skipIf(!testDatabaseUrl)('the embedded default: the vendor simulator books end to end out of the box', () => {
  /** A small département: a few hundred demo practitioners, the simulator serves its first 50. */
  const env = { DEMO_DATA: 'true', DEMO_DIRECTORY: 'department', DEMO_DEPARTEMENT: '48' };
  let t: TestPlatform | undefined;
  afterAll(async () => {
    await t?.stop();
  });

  /** Books a free slot of the embedded simulator (not one of `exclude`) from the redirect on; answers its id at the simulator. */
  async function bookThroughTheEmbeddedVendor(platform: TestPlatform, startedAt: number, exclude: ReadonlySet<string> = new Set()): Promise<string> {
    const registry = platform.platform.containers.get('availability')!.get(AVAILABILITY.aggregation).registry;
    const vendor = registry.get(EMBEDDED_VENDOR_ID);
    expect(vendor).toMatchObject({ capability: 'end-to-end', bookingOrigin: 'sas' });
    const simUrl = vendor!.fhirBaseUrl.replace(/\/fhir$/, '');
    // Its appointments go to this platform's FHIR endpoint.
    await eventually(async () => (await simGet<{ appointmentsEndpoint: string | null }>(simUrl, '/')).appointmentsEndpoint === `${platform.url}/fhir`);

    // A first poll of this process's simulator (after a restart, the slots are known already, with the URL of the last one).
    await eventually(async () => {
      const { rows } = await platform.platform.readDb.query<{ at: Date | null }>('SELECT last_success_at AS at FROM availability_vendor_status WHERE vendor_id = $1', [EMBEDDED_VENDOR_ID]);
      return rows[0]?.at != null && new Date(rows[0].at).getTime() >= startedAt;
    }, 60_000, 200);
    const regulator = await loginAs(platform.url, demoIdentityByRole('regulateur-osnp').nationalId);
    const simSlot = await bookableSimSlot(simUrl, undefined, exclude);
    const slotId = vendorSlotId(EMBEDDED_VENDOR_ID, simSlot.id);
    // Published by the aggregation job the platform scheduled at start (in-process queue).
    await eventually(() => listed(regulator, simSlot.owner.rpps!, slotId), 60_000, 200);
    const redirect = await regulator.api(`/api/slots/${slotId}/vendor-booking`);
    expect(redirect.status, await redirect.clone().text()).toBe(303);
    const location = new URL(redirect.headers.get('location')!);
    expect(location.origin).toBe(simUrl);
    expect(location.searchParams.get('origin')).toBe('sas');
    const booked = await bookOnVendorPage(location.href, simSlot.id, regulator.me.accountId!);
    expect(booked.status, booked.html).toBe(201);
    expect(booked.html).toContain('data-notification="201"');
    const events = await platform.platform.eventStore.readStream(slotStreamName(slotId));
    expect(events.find((e) => e.type === 'SlotBooked')?.metadata.actor).toEqual({ accountId: `client:${EMBEDDED_VENDOR_ID}`, role: 'vendor' });
    await eventually(async () => !(await listed(regulator, simSlot.owner.rpps!, slotId)));
    return simSlot.id;
  }

  it('registers the simulator as an end-to-end vendor with a demo machine client, and a booking on its page books the slot — again after a restart', async () => {
    let startedAt = Date.now();
    const logs: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, done) => (logs.push(String(chunk)), done()) });
    t = await startTestPlatform({ env, logger: createLogger({ level: 'trace', destination: sink }) });
    const first = await bookThroughTheEmbeddedVendor(t, startedAt);
    // Issued and handed over, never logged: no Basic credentials, no secret field in any line.
    expect(logs.some((line) => line.includes('demo machine client issued'))).toBe(true);
    expect(logs.filter((line) => /Basic [A-Za-z0-9+/=]{16,}|"secret"/.test(line))).toEqual([]);
    const client = await t.platform.eventStore.readStream(clientStreamName(EMBEDDED_VENDOR_ID));
    expect(client.map((e) => e.type)).toEqual(['ClientRegistered']);
    expect(client[0]!.data).toMatchObject({ clientId: EMBEDDED_VENDOR_ID, kind: 'vendor' });

    // Restarted on the same database: the secret (known only as a hash) is rotated and handed over again; the new
    // simulator (same seed, same slots, another port) is the booking page of the slots already known.
    const databaseUrl = t.platform.config.databaseUrl!;
    await t.stop();
    startedAt = Date.now();
    t = await startTestPlatform({ env: { ...env, DATABASE_URL: databaseUrl } });
    expect((await t.platform.eventStore.readStream(clientStreamName(EMBEDDED_VENDOR_ID))).map((e) => e.type)).toEqual(['ClientRegistered', 'ClientSecretRotated']);
    await bookThroughTheEmbeddedVendor(t, startedAt, new Set([first]));

    // The demo SOS Médecins association (in the département's largest commune) shows its card, with the slots the
    // simulator publishes under its SIRET.
    const regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    let sos: { kind: string; rpps: string; structure: string; effecteurStructure: { kind: string } | null; slots: { source: string }[] } | undefined;
    await eventually(async () => {
      const body = (await (await regulator.api('/api/search?departement=48&structureKind=sos-medecins&disponibleSous=24-48&limit=5')).json()) as { items: NonNullable<typeof sos>[] };
      sos = body.items[0];
      return sos !== undefined && sos.slots.length > 0;
    }, 30_000, 200);
    expect(sos).toMatchObject({ kind: 'structure', rpps: DEMO_SOS_MEDECINS_SIRET, structure: 'SOS Médecins Mende', effecteurStructure: { kind: 'sos-medecins' } });
    expect(sos!.slots.every((slot) => slot.source === 'vendor')).toBe(true);
  }, 180_000);

  it('does nothing of the kind with DEMO_DIRECTORY=none (the tests’ default): no simulator, no demo machine client', async () => {
    const bare = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    try {
      expect(bare.platform.containers.get('availability')!.get(AVAILABILITY.aggregation).registry.get(EMBEDDED_VENDOR_ID)).toBeUndefined();
      expect(await bare.platform.eventStore.readStream(clientStreamName(EMBEDDED_VENDOR_ID))).toEqual([]);
    } finally {
      await bare.stop();
    }
  });
});
