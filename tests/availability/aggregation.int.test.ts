/**
 * Vendor slot aggregation against real vendor simulators on loopback, the real platform on PostgreSQL and BullMQ on
 * the test Redis: 2,000 practitioners across 3 vendors in batches of 25 published exactly once (a second run appends
 * nothing); vendor-side move / withdraw / add become SlotChanged / SlotWithdrawn / SlotPublished; a vendor killed
 * mid-run leaves the others and search working and has its slots stale after the TTL (then back when it returns);
 * malformed and oversized answers are rejected whole with a report; an effecteur's refusal hides its vendor slots.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/shared-kernel/events/envelope.ts';
import { ManualClock } from '../../src/shared-kernel/time/clock.ts';
import { AVAILABILITY } from '../../src/modules/availability/availability.tokens.ts';
import { pollVendor, type BatchOutcome } from '../../src/modules/availability/application/aggregate-vendor-slots/aggregate-vendor-slots.job.ts';
import type { SlotChanged, SlotPublished, SlotWithdrawn } from '../../src/modules/availability/contracts/availability.events.ts';
import { vendorSlotId } from '../../src/modules/availability/domain/vendor-slot-id.ts';
import { simRpps } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.data.ts';
import { createVendorSimulator, type VendorSimulator } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.server.ts';
import { searchWindow } from '../../src/modules/availability/infrastructure/vendors/vendor-search.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { testRedisUrl } from '../support/redis.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const DUBOIS = '10000000009'; // the demo effecteur, served by vendor A
const run = `${Date.now().toString(36)}`;
const ids = { a: `agenda-a-${run}`, b: `agenda-b-${run}`, c: `agenda-c-${run}`, d: `agenda-d-${run}` };

type SimSlotView = { id: string; owner: { kind: string; rpps?: string }; start: string; end: string; shownBySas: boolean; status: string };
const adminGet = async <T>(sim: VendorSimulator, path: string): Promise<T> => (await fetch(`${sim.url}/_sim${path}`)).json() as Promise<T>;
const adminPost = async (sim: VendorSimulator, path: string, body: unknown = {}) => {
  const response = await fetch(`${sim.url}/_sim${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as SimSlotView };
};

describe.skipIf(!testDatabaseUrl || !testRedisUrl)('vendor slot aggregation over FHIR', () => {
  const clock = new ManualClock(new Date());
  const sims: Record<'a' | 'b' | 'c' | 'd', VendorSimulator> = {} as never;
  let t: TestPlatform;
  let admin: LoggedIn;
  const deps = () => t.platform.containers.get('availability')!.get(AVAILABILITY.aggregation);
  const head = () => t.platform.eventStore.headPosition();
  const eventsAfter = async (position: number): Promise<RecordedEvent[]> => {
    const all: RecordedEvent[] = [];
    for (let after = position; ; ) {
      const page = await t.platform.eventStore.readAll({ after, limit: 5000, filter: { streamPrefix: 'availability.' } });
      if (page.length === 0) return all;
      all.push(...page);
      after = page[page.length - 1]!.position;
    }
  };
  const poll = (vendor: keyof typeof ids) => pollVendor(deps(), ids[vendor]);
  /** The platform ids of the slots a simulator offers that the SAS may show, inside the current window. */
  const expectedIds = async (key: 'a' | 'b' | 'c' | 'd') => {
    const w = searchWindow(clock.now());
    const slots = await adminGet<SimSlotView[]>(sims[key], '/slots?status=free');
    return new Set(
      slots.filter((s) => s.owner.kind === 'practitioner' && s.shownBySas && Date.parse(s.start) >= w.from.getTime() && Date.parse(s.start) <= w.to.getTime()).map((s) => vendorSlotId(ids[key], s.id)),
    );
  };
  const published = async (after = 0) => (await eventsAfter(after)).filter((e) => e.type === 'SlotPublished' && (e as unknown as SlotPublished).data.source === 'vendor');

  beforeAll(async () => {
    // 2,000 practitioners across three vendors (A also serves the demo effecteur), plus a small vendor D for faults.
    sims.a = await createVendorSimulator({ vendor: 'Agenda A', seed: 1, practitioners: [DUBOIS, ...Array.from({ length: 666 }, (_, n) => simRpps(n))], clock: clock.now });
    sims.b = await createVendorSimulator({ vendor: 'Agenda B', seed: 2, practitioners: 667, practitionerOffset: 10_000, clock: clock.now });
    sims.c = await createVendorSimulator({ vendor: 'Agenda C', seed: 3, practitioners: 666, practitionerOffset: 20_000, clock: clock.now });
    sims.d = await createVendorSimulator({ vendor: 'Agenda D', seed: 4, practitioners: 30, practitionerOffset: 30_000, cpts: 2, cptsShare: 0.5, clock: clock.now });
    const vendor = (key: 'a' | 'b' | 'c' | 'd', extra: Record<string, unknown> = {}) => ({
      id: ids[key],
      name: `Éditeur ${key.toUpperCase()}`,
      fhirBaseUrl: sims[key].fhirBaseUrl,
      capability: 'end-to-end',
      practitioners: [...sims[key].practitioners],
      batchSize: 25,
      // One automatic round at start (through BullMQ); later rounds are driven by the test.
      pollingPeriodMs: 3_600_000,
      timeoutMs: 1_000,
      retries: 1,
      retryDelayMs: 50,
      staleTtlMs: 60_000,
      staleBehaviour: 'hide',
      circuitFailureThreshold: 2,
      circuitOpenMs: 5_000,
      ...extra,
    });
    const dir = mkdtempSync(join(tmpdir(), 'sas-vendors-'));
    const file = join(dir, 'vendors.json');
    writeFileSync(file, JSON.stringify({ vendors: [vendor('a'), vendor('b'), vendor('c'), vendor('d', { cpts: true, maxBundleBytes: 1024 * 1024 })] }));
    t = await startTestPlatform({ env: { REDIS_URL: testRedisUrl!, DEMO_DATA: 'true', VENDORS_FILE: file }, clock: clock.now });
    admin = await loginAs(t.url, demoIdentityByRole('admin-national').nationalId);
  }, 300_000);
  afterAll(async () => {
    await t?.stop();
    for (const sim of Object.values(sims)) await sim?.stop();
  });

  it('publishes every public slot of 2,000 practitioners across 3 vendors exactly once, in batches of 25 run by the job queue', async () => {
    // The automatic first round: one repeatable job per vendor and batch (27 + 27 + 27 + 2 batches).
    await eventually(async () => {
      const { rows } = await t.platform.readDb.query<{ n: string }>('SELECT count(*) AS n FROM availability_vendor_batches WHERE last_success_at IS NOT NULL');
      return Number(rows[0]!.n) === 27 * 3 + 2;
    }, 180_000, 200);
    const events = await published();
    const counts = new Map<string, number>();
    for (const e of events) counts.set((e as unknown as SlotPublished).data.slotId, (counts.get((e as unknown as SlotPublished).data.slotId) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    let total = 0;
    for (const key of ['a', 'b', 'c'] as const) {
      const expected = await expectedIds(key);
      const got = new Set(events.filter((e) => e.streamName.startsWith('availability.slot-') && expected.has((e as unknown as SlotPublished).data.slotId)).map((e) => (e as unknown as SlotPublished).data.slotId));
      expect(got.size).toBe(expected.size);
      total += expected.size;
    }
    expect(total).toBeGreaterThan(10_000);
    // Slots reserved to professionals or to a CPTS (PRO, CPTS only) are never published.
    const all = await adminGet<SimSlotView[]>(sims.a, '/slots?status=free');
    const hidden = all.filter((s) => !s.shownBySas).map((s) => vendorSlotId(ids.a, s.id));
    expect(hidden.length).toBeGreaterThan(0);
    expect(hidden.filter((id) => counts.has(id))).toEqual([]);
    // Each vendor slot lives on its own stream, named by vendorSlotId.
    expect(events.every((e) => e.streamName === `availability.slot-${(e as unknown as SlotPublished).data.slotId}`)).toBe(true);

    // A second run appends nothing.
    const before = await head();
    for (const key of ['a', 'b', 'c', 'd'] as const) {
      const outcomes = await poll(key);
      expect(outcomes.every((o) => o.status === 'applied' && o.published + o.changed + o.withdrawn === 0)).toBe(true);
    }
    expect(await head()).toBe(before);
  });

  it('turns a vendor-side move, withdrawal and new slot into SlotChanged, SlotWithdrawn and SlotPublished, and nothing else', async () => {
    const slots = (await adminGet<SimSlotView[]>(sims.a, `/slots?rpps=${simRpps(5)}&status=free`)).filter((s) => s.shownBySas && Date.parse(s.start) > clock.now().getTime() + 3_600_000);
    const [moved, withdrawn] = slots;
    expect(withdrawn).toBeDefined();
    const newStart = new Date(Date.parse(moved!.start) + 5 * 60_000);
    expect((await adminPost(sims.a, `/slots/${moved!.id}/move`, { start: newStart.toISOString(), end: new Date(newStart.getTime() + 15 * 60_000).toISOString() })).status).toBe(200);
    expect((await adminPost(sims.a, `/slots/${withdrawn!.id}/withdraw`)).status).toBe(200);
    const addStart = new Date(Math.ceil((clock.now().getTime() + 2 * 3_600_000) / 60_000) * 60_000);
    const added = await adminPost(sims.a, '/slots', { rpps: simRpps(5), start: addStart.toISOString(), end: new Date(addStart.getTime() + 20 * 60_000).toISOString(), consultationTypes: ['AMB', 'VR'] });
    expect(added.status).toBe(201);

    const before = await head();
    await poll('a');
    const events = await eventsAfter(before);
    expect(events.map((e) => e.type).sort()).toEqual(['SlotChanged', 'SlotPublished', 'SlotWithdrawn']);
    const changed = events.find((e) => e.type === 'SlotChanged') as unknown as SlotChanged;
    expect(changed.data).toMatchObject({ slotId: vendorSlotId(ids.a, moved!.id), effecteurId: simRpps(5), start: newStart.toISOString(), source: 'vendor' });
    const gone = events.find((e) => e.type === 'SlotWithdrawn') as unknown as SlotWithdrawn;
    expect(gone.data).toMatchObject({ slotId: vendorSlotId(ids.a, withdrawn!.id), reason: 'vendor-withdrawn' });
    const fresh = events.find((e) => e.type === 'SlotPublished') as unknown as SlotPublished;
    expect(fresh.data).toMatchObject({ slotId: vendorSlotId(ids.a, added.json.id), start: addStart.toISOString(), consultationTypes: ['cabinet', 'teleconsultation'], source: 'vendor' });
    // And once more: nothing.
    const after = await head();
    await poll('a');
    expect(await head()).toBe(after);
  });

  it('rejects malformed and oversized answers whole, with a report, and appends nothing', async () => {
    const slot = (await adminGet<SimSlotView[]>(sims.d, '/slots?status=free')).find((s) => s.owner.kind === 'practitioner' && s.shownBySas && Date.parse(s.start) > clock.now().getTime())!;
    // A real change at the vendor that must NOT be applied while its answers are broken.
    expect((await adminPost(sims.d, `/slots/${slot.id}/withdraw`)).status).toBe(200);
    for (const switches of [{ malformed: 'dangling-reference' }, { malformed: 'invalid-json' }, { malformed: 'slot-not-free' }, { malformed: null, oversizedBytes: 2 * 1024 * 1024 }] as const) {
      sims.d.setSwitches(switches);
      const before = await head();
      const outcomes: BatchOutcome[] = await poll('d');
      expect(outcomes.length).toBe(2);
      expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
      expect(await head()).toBe(before);
    }
    const response = await admin.api('/api/vendors');
    expect(response.status).toBe(200);
    const { vendors } = (await response.json()) as { vendors: { id: string; reports: { error: string; problems: { count: number; first: { rule: string }[] } }[]; lastError: string; circuit: { state: string } }[] };
    const d = vendors.find((v) => v.id === ids.d)!;
    const rules = d.reports.flatMap((r) => r.problems.first.map((p) => p.rule));
    expect(rules).toEqual(expect.arrayContaining(['reference-unresolved', 'json', 'slot-status', 'bundle-too-large']));
    expect(d.lastError).toMatch(/rejetée/);
    expect(d.circuit.state).toBe('closed'); // the vendor answers: its circuit stays closed
    // Fixed answers: the withdrawal is applied at last.
    sims.d.setSwitches({ malformed: null, oversizedBytes: null });
    const before = await head();
    await poll('d');
    const events = await eventsAfter(before);
    expect(events.map((e) => [e.type, (e as unknown as SlotWithdrawn).data.slotId])).toEqual([['SlotWithdrawn', vendorSlotId(ids.d, slot.id)]]);
  });

  it('hides the vendor slots of an effecteur who refuses their display, and shows them again when it accepts', async () => {
    const expected = [...(await expectedIds('a'))];
    const dubois = new Set((await adminGet<SimSlotView[]>(sims.a, `/slots?rpps=${DUBOIS}&status=free`)).filter((s) => s.shownBySas).map((s) => vendorSlotId(ids.a, s.id)));
    expect(expected.filter((id) => dubois.has(id)).length).toBeGreaterThan(0);
    const effecteur = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
    const refuse = await effecteur.api(`/api/agendas/${DUBOIS}/vendor-display`, { method: 'PUT', json: { displayed: false } });
    expect(refuse.status).toBe(200);
    expect(await refuse.json()).toEqual({ effecteurId: DUBOIS, displayed: false });
    // Another effecteur's choice is not its own to make; a bad body changes nothing.
    expect((await effecteur.api(`/api/agendas/${simRpps(1)}/vendor-display`, { method: 'PUT', json: { displayed: false } })).status).toBe(403);
    const bad = await effecteur.api(`/api/agendas/${DUBOIS}/vendor-display`, { method: 'PUT', json: { displayed: 'non' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    await eventually(async () => (await t.platform.readDb.query('SELECT 1 FROM availability_vendor_display WHERE effecteur_id = $1 AND refused', [DUBOIS])).rows.length === 1);

    let before = await head();
    await poll('a');
    let events = await eventsAfter(before);
    const withdrawn = events.filter((e) => e.type === 'SlotWithdrawn') as unknown as SlotWithdrawn[];
    expect(new Set(withdrawn.map((e) => e.data.slotId))).toEqual(new Set([...dubois].filter((id) => expected.includes(id))));
    expect(withdrawn.every((e) => e.data.reason === 'vendor-display-refused' && e.data.effecteurId === DUBOIS)).toBe(true);
    expect(events.filter((e) => e.type !== 'SlotWithdrawn')).toEqual([]);
    // While refused, nothing comes back.
    before = await head();
    await poll('a');
    expect(await head()).toBe(before);

    expect((await effecteur.api(`/api/agendas/${DUBOIS}/vendor-display`, { method: 'PUT', json: { displayed: true } })).status).toBe(200);
    await eventually(async () => (await t.platform.readDb.query('SELECT 1 FROM availability_vendor_display WHERE effecteur_id = $1 AND NOT refused', [DUBOIS])).rows.length === 1);
    before = await head();
    await poll('a');
    events = await eventsAfter(before);
    expect(new Set(events.filter((e) => e.type === 'SlotPublished').map((e) => (e as unknown as SlotPublished).data.slotId)).size).toBe(withdrawn.length);
  });

  it('keeps the other vendors and search working when one is killed mid-run, and marks its slots stale after the TTL', async () => {
    const regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    const cSlots = await expectedIds('c');
    const cStarts = new Map((await adminGet<SimSlotView[]>(sims.c, '/slots?status=free')).map((s) => [vendorSlotId(ids.c, s.id), Date.parse(s.start)]));
    await sims.c.stop(); // killed
    const outcomes = await Promise.all([poll('a'), poll('b'), poll('c')]);
    expect(outcomes[0]!.every((o) => o.status === 'applied')).toBe(true);
    expect(outcomes[1]!.every((o) => o.status === 'applied')).toBe(true);
    expect(outcomes[2]!.every((o) => o.status === 'failed' || o.status === 'circuit-open')).toBe(true);
    expect((await regulator.api('/api/search?departement=31')).status).toBe(200);
    let status = await vendorView(ids.c);
    expect(status.circuit.state).toBe('open');
    expect(status.stale).toBe(false);
    expect(status.slotsKnown).toBe(cSlots.size);

    // Past the TTL: the next poll (circuit half-open, fails again) hides C's slots; A and B are untouched.
    clock.advance(61_000);
    const upcoming = [...cSlots].filter((id) => cStarts.get(id)! >= clock.now().getTime());
    const before = await head();
    await poll('c');
    const events = await eventsAfter(before);
    expect(new Set(events.map((e) => (e as unknown as SlotWithdrawn).data.slotId))).toEqual(new Set(upcoming));
    expect(events.every((e) => e.type === 'SlotWithdrawn' && (e as unknown as SlotWithdrawn).data.reason === 'vendor-stale')).toBe(true);
    status = await vendorView(ids.c);
    expect(status).toMatchObject({ stale: true, slotsKnown: cSlots.size - upcoming.length });
    expect(status.lastError).toBeTruthy();
    expect((await vendorView(ids.a)).stale).toBe(false);
    expect((await regulator.api('/api/search?departement=31')).status).toBe(200);

    // The vendor comes back (same seed, same port is not needed: a new simulator at a new URL is a new config; so
    // bring it back at the same address by restarting on its port).
    const port = Number(new URL(sims.c.url).port);
    sims.c = await createVendorSimulator({ vendor: 'Agenda C', seed: 3, practitioners: 666, practitionerOffset: 20_000, clock: clock.now, port });
    clock.advance(6_000); // past circuitOpenMs: one trial poll
    const back = await head();
    await poll('c');
    const republished = (await eventsAfter(back)).filter((e) => e.type === 'SlotPublished').map((e) => (e as unknown as SlotPublished).data.slotId);
    const stillOffered = await expectedIds('c');
    expect(new Set(republished)).toEqual(stillOffered);
    expect(await vendorView(ids.c)).toMatchObject({ stale: false, circuit: { state: 'closed' } });
  });

  async function vendorView(id: string) {
    const response = await admin.api('/api/vendors');
    expect(response.status).toBe(200);
    return ((await response.json()) as { vendors: { id: string; stale: boolean; slotsKnown: number; lastError: string | null; circuit: { state: string } }[] }).vendors.find((v) => v.id === id)!;
  }
});
