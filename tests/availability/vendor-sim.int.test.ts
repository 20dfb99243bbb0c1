/**
 * The vendor simulator over real HTTP on loopback: the guide's three slot searches answer Bundles the validator
 * accepts, bad searches get a 400 OperationOutcome, seeded output is deterministic, switches and slot mutations
 * act, regulator accounts are received, the booking page books, and the CLI runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateSearchsetBody } from '../../src/modules/availability/infrastructure/fhir/searchset-bundle.validator.ts';
import { IDNPS_SYSTEM, IDNST_SYSTEM, type SearchFlavour } from '../../src/modules/availability/infrastructure/fhir/sas-fhir.ts';
import { MALFORMED_MODES } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.switches.ts';
import { createVendorSimulator, VendorSimOptionsError, type VendorSimulator } from '../../src/modules/availability/infrastructure/vendor-sim/vendor-sim.server.ts';
import { fixedClock } from '../../src/shared-kernel/time/clock.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const HOUR = 3_600_000;

interface Window { from: Date; to: Date }
const windowFromNow = (): Window => ({ from: new Date(Date.now() - 60_000), to: new Date(Date.now() + 72 * HOUR) });
const iso = (d: Date) => d.toISOString().replace('Z', '+00:00');

function psQuery(ids: readonly string[], w: Window, flavour: 'ps' | 'cpts' = 'ps', extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  q.append('_include', 'Slot:schedule');
  if (flavour === 'cpts') q.append('_include', 'Slot:service-type-reference');
  q.append('_include:iterate', 'Schedule:actor');
  if (flavour === 'cpts') q.append('_include:iterate', 'HealthcareService:organization');
  q.append('start', `ge${iso(w.from)}`);
  q.append('start', `le${iso(w.to)}`);
  q.append('schedule.actor:Practitioner.identifier', ids.map((id) => `${IDNPS_SYSTEM}|8${id}`).join(','));
  q.append('status', 'free');
  for (const [k, v] of Object.entries(extra)) q.append(k, v);
  return `Slot?${q}`;
}

function sosQuery(idnst: readonly string[], w: Window): string {
  const q = new URLSearchParams();
  q.append('_revinclude', 'Slot:schedule');
  q.append('_include', 'Schedule:actor:Location');
  q.append('_include:iterate', 'Location:organization');
  q.append('_has:Slot:schedule:start', `ge${iso(w.from)}`);
  q.append('_has:Slot:schedule:start', `le${iso(w.to)}`);
  q.append('_has:Slot:schedule:status', 'free');
  q.append('actor:Location.organization.identifier', idnst.map((id) => `${IDNST_SYSTEM}|${id}`).join(','));
  return `Schedule?${q}`;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
async function get(sim: VendorSimulator, path: string): Promise<{ status: number; text: string; json: () => Json; type: string | null }> {
  const response = await fetch(`${sim.fhirBaseUrl}/${path}`, { headers: { accept: 'application/json+fhir' } });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text), type: response.headers.get('content-type') };
}
const admin = async (sim: VendorSimulator, path: string, body?: unknown): Promise<{ status: number; json: Json }> => {
  const response = await fetch(`${sim.url}/_sim${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
};
const slotsOf = (bundle: Json): Json[] => (bundle.entry ?? []).filter((e: Json) => e.resource.resourceType === 'Slot').map((e: Json) => e.resource);
const resourcesOf = (bundle: Json, type: string): Json[] => (bundle.entry ?? []).filter((e: Json) => e.resource.resourceType === type).map((e: Json) => e.resource);

describe('vendor simulator', () => {
  let sim: VendorSimulator;
  beforeAll(async () => {
    sim = await createVendorSimulator({ practitioners: 40, seed: 11, cpts: 2, cptsShare: 0.5, sosMedecins: 2 });
  });
  afterAll(async () => {
    await sim.stop();
  });

  describe('PS individuel search (INT_R01)', () => {
    it('answers 25 practitioners with a searchset Bundle the guide’s rules accept', async () => {
      const ids = sim.practitioners.slice(0, 25);
      const w = windowFromNow();
      const path = psQuery(ids, w);
      const answer = await get(sim, path);
      expect(answer.status).toBe(200);
      expect(answer.type).toMatch(/^application\/fhir\+json/);
      const check = validateSearchsetBody(answer.text, { flavour: 'ps', window: w, requested: ids.map((id) => `8${id}`) });
      expect(check.problems).toEqual([]);
      const bundle = answer.json();
      expect(check.slots).toBeGreaterThan(25);
      expect(bundle.total).toBe(check.slots);
      expect(bundle.link).toEqual([{ relation: 'self', url: `${sim.fhirBaseUrl}/${path}` }]);
      for (const e of bundle.entry) expect(e.fullUrl).toBe(`${sim.fhirBaseUrl}/${e.resource.resourceType}/${e.resource.id}`);
      // No CPTS audience nor CPTS service in the PS flow; some slots are not for the SAS (PRO only).
      const audiences = slotsOf(bundle).map((s) => s.meta.security.map((c: Json) => c.code).join('+'));
      expect(audiences).not.toContain('CPTS');
      expect(audiences).toContain('PUBLIC');
      expect(audiences).toContain('PRO');
      expect(audiences).toContain('SNP');
      const codes = new Set(slotsOf(bundle).flatMap((s) => s.serviceType.flatMap((t: Json) => (t.coding ?? []).map((c: Json) => c.code))));
      expect([...codes].sort()).toEqual(['AMB', 'HH', 'VR']);
    });

    it('gives one Practitioner, Schedule and PractitionerRole (with one contained Location) for a practitioner with one place', async () => {
      const practitioners: Json[] = (await admin(sim, '/practitioners')).json;
      const single = practitioners.find((p) => p.places.length === 1 && p.cpts.length === 0)!;
      const bundle = (await get(sim, psQuery([single.rpps], windowFromNow()))).json();
      expect(resourcesOf(bundle, 'Practitioner')).toHaveLength(1);
      expect(resourcesOf(bundle, 'Schedule')).toHaveLength(1);
      const roles = resourcesOf(bundle, 'PractitionerRole');
      expect(roles).toHaveLength(1);
      expect(roles[0].contained).toHaveLength(1);
      expect(resourcesOf(bundle, 'Practitioner')[0].identifier[0]).toEqual(expect.objectContaining({ system: IDNPS_SYSTEM, value: `8${single.rpps}` }));
      for (const slot of slotsOf(bundle)) {
        expect(slot.comment).toBe(`${sim.url}/agenda/8${single.rpps}`);
        expect(slot.start).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0[12]:00$/);
      }
    });

    it('finds a practitioner sent with a bare RPPS, and answers an unknown one with an empty Bundle', async () => {
      const w = windowFromNow();
      const bare = psQuery([sim.practitioners[0]!], w).replace(encodeURIComponent(`|8${sim.practitioners[0]}`), encodeURIComponent(`|${sim.practitioners[0]}`));
      expect((await get(sim, bare)).json().total).toBe((await get(sim, psQuery([sim.practitioners[0]!], w))).json().total);
      const unknown = await get(sim, psQuery(['10000000009'], w));
      expect(unknown.status).toBe(200);
      expect(unknown.json()).toEqual(expect.objectContaining({ resourceType: 'Bundle', type: 'searchset', total: 0 }));
      expect(unknown.json().entry).toBeUndefined();
      expect(validateSearchsetBody(unknown.text, { flavour: 'ps' }).problems).toEqual([]);
    });

    it('pages with _count and a next link', async () => {
      const ids = sim.practitioners.slice(0, 10);
      const w = windowFromNow();
      const all = slotsOf((await get(sim, psQuery(ids, w))).json()).map((s) => s.id);
      expect(all.length).toBeGreaterThan(7);
      const seen: string[] = [];
      let path: string | undefined = psQuery(ids, w, 'ps', { _count: '7' });
      while (path) {
        const answer = await get(sim, path);
        const bundle = answer.json();
        expect(validateSearchsetBody(answer.text, { flavour: 'ps', window: w }).problems).toEqual([]);
        expect(bundle.total).toBe(all.length);
        expect(slotsOf(bundle).length).toBeLessThanOrEqual(7);
        seen.push(...slotsOf(bundle).map((s) => s.id));
        const next = bundle.link.find((l: Json) => l.relation === 'next')?.url as string | undefined;
        path = next?.slice(sim.fhirBaseUrl.length + 1);
      }
      expect(seen).toEqual(all);
    });

    it.each([
      ['26 identifiers', (ids: string[], w: Window) => psQuery([...ids, ...ids].slice(0, 26), w), /26 identifiants.*25 au plus/],
      ['an unknown parameter', (ids: string[], w: Window) => psQuery(ids, w, 'ps', { specialty: 'SM54' }), /non pris en charge : specialty/],
      ['no status=free', (ids: string[], w: Window) => psQuery(ids, w).replace('&status=free', ''), /status=free est obligatoire/],
      ['no start=le', (ids: string[], w: Window) => psQuery(ids, w).replace(/&start=le[^&]+/, ''), /start=le… sont obligatoires/],
      ['a start without time zone', (ids: string[], w: Window) => psQuery(ids, w).replace(/start=ge[^&]+/, 'start=ge2026-01-01T10%3A00%3A00'), /date-heure avec fuseau/],
      ['no _include=Slot:schedule', (ids: string[], w: Window) => psQuery(ids, w).replace('_include=Slot%3Aschedule&', ''), /_include=Slot:schedule est obligatoire/],
      ['an identifier of another system', (ids: string[], w: Window) => psQuery(ids, w).replace(encodeURIComponent(IDNPS_SYSTEM), encodeURIComponent(IDNST_SYSTEM)), /Système d’identifiant/],
      ['a malformed identifier', (ids: string[], w: Window) => psQuery(ids, w).replace(encodeURIComponent(`|8${ids[0]}`), encodeURIComponent('|8123')), /invalide : 8 \+ RPPS/],
      ['_count=0', (ids: string[], w: Window) => psQuery(ids, w, 'ps', { _count: '0' }), /_count=0 invalide/],
    ])('refuses %s with 400 and an OperationOutcome', async (_name, build, message) => {
      const answer = await get(sim, build(sim.practitioners.slice(0, 25), windowFromNow()));
      expect(answer.status).toBe(400);
      const outcome = answer.json();
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0]).toEqual(expect.objectContaining({ severity: 'error', code: 'invalid' }));
      expect(outcome.issue[0].diagnostics).toMatch(message);
    });
  });

  describe('CPTS search (INT_R04)', () => {
    it('adds the CPTS HealthcareService and Organization of CPTS slots, valid against the CPTS profiles', async () => {
      const members: Json[] = (await admin(sim, '/practitioners')).json.filter((p: Json) => p.cpts.length > 0);
      expect(members.length).toBeGreaterThan(3);
      const ids = members.slice(0, 25).map((p) => p.rpps as string);
      const w = windowFromNow();
      const answer = await get(sim, psQuery(ids, w, 'cpts'));
      expect(answer.status).toBe(200);
      expect(validateSearchsetBody(answer.text, { flavour: 'cpts', window: w, requested: ids.map((id) => `8${id}`) }).problems).toEqual([]);
      const bundle = answer.json();
      const organizations = resourcesOf(bundle, 'Organization');
      expect(organizations.length).toBeGreaterThan(0);
      for (const o of organizations) expect(o.identifier[0].value).toMatch(/^1\d{9}$/);
      const services = resourcesOf(bundle, 'HealthcareService');
      expect(services.map((s) => s.providedBy.reference).sort()).toEqual(organizations.map((o) => `Organization/${o.id}`).sort());
      const cptsOnly = slotsOf(bundle).filter((s) => s.meta.security.length === 1 && s.meta.security[0].code === 'CPTS');
      expect(cptsOnly.length).toBeGreaterThan(0);
      // …which the PS flow, not the CPTS, never sees.
      const ps = slotsOf((await get(sim, psQuery(ids, w))).json()).map((s) => s.id);
      for (const s of cptsOnly) expect(ps).not.toContain(s.id);
    });
  });

  describe('SOS Médecins search', () => {
    it('answers Schedules of the association’s places with their Slots, Location and Organization', async () => {
      const state = (await admin(sim, '')).json;
      const idnst = state.sosMedecins.map((a: Json) => a.idnst as string);
      const w = windowFromNow();
      const answer = await get(sim, sosQuery(idnst, w));
      expect(answer.status).toBe(200);
      expect(validateSearchsetBody(answer.text, { flavour: 'sos', window: w, requested: idnst }).problems).toEqual([]);
      const bundle = answer.json();
      expect(bundle.total).toBe(slotsOf(bundle).length);
      expect(bundle.total).toBeGreaterThan(0);
      expect(resourcesOf(bundle, 'Organization').map((o) => o.identifier[0].value).sort()).toEqual([...idnst].sort());
      expect((await get(sim, sosQuery(['312345678901234'], w))).json().total).toBe(0);
      const tooMany = await get(sim, sosQuery(Array.from({ length: 26 }, () => idnst[0]), w));
      expect(tooMany.status).toBe(400);
    });
  });

  describe('switches', () => {
    it('delay answers by the latency', async () => {
      await admin(sim, '/switches', { latencyMs: 300 });
      const started = Date.now();
      expect((await get(sim, psQuery(sim.practitioners.slice(0, 1), windowFromNow()))).status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      await admin(sim, '/switches/reset', {});
    });

    it('answer 503 or 500 with an OperationOutcome at error rate 1', async () => {
      for (const status of [503, 500]) {
        expect((await admin(sim, '/switches', { errorRate: 1, errorStatus: status })).status).toBe(200);
        const answer = await get(sim, psQuery(sim.practitioners.slice(0, 1), windowFromNow()));
        expect(answer.status).toBe(status);
        expect(answer.json().resourceType).toBe('OperationOutcome');
      }
      await admin(sim, '/switches/reset', {});
      expect((await get(sim, psQuery(sim.practitioners.slice(0, 1), windowFromNow()))).status).toBe(200);
    });

    it('leave requests unanswered at timeout rate 1, until switched off', async () => {
      await admin(sim, '/switches', { timeoutRate: 1 });
      await expect(fetch(`${sim.fhirBaseUrl}/${psQuery(sim.practitioners.slice(0, 1), windowFromNow())}`, { signal: AbortSignal.timeout(500) })).rejects.toThrow(/abort|timeout/i);
      await admin(sim, '/switches', { timeoutRate: 0 });
      expect((await get(sim, psQuery(sim.practitioners.slice(0, 1), windowFromNow()))).status).toBe(200);
    });

    it.each(MALFORMED_MODES)('break the Bundle (%s) in a way the validator reports', async (mode) => {
      const expected: Record<string, string> = {
        'invalid-json': 'json',
        'wrong-resource-type': 'bundle-resource-type',
        'wrong-bundle-type': 'bundle-type',
        'missing-total': 'bundle-total',
        'slot-without-schedule': 'slot-schedule',
        'dangling-reference': 'reference-unresolved',
        'slot-not-free': 'slot-status',
        'wrong-identifier-system': 'practitioner-idnps',
      };
      await admin(sim, '/switches', { malformed: mode });
      const answer = await get(sim, psQuery(sim.practitioners.slice(0, 5), windowFromNow()));
      await admin(sim, '/switches/reset', {});
      expect(answer.status).toBe(200);
      const check = validateSearchsetBody(answer.text, { flavour: 'ps' });
      expect(check.valid).toBe(false);
      expect(check.problems.map((p) => p.rule)).toContain(expected[mode]);
    });

    it('inflate the Bundle past the size asked for, still well-formed', async () => {
      await admin(sim, '/switches', { oversizedBytes: 2_000_000 });
      const answer = await get(sim, psQuery(sim.practitioners.slice(0, 2), windowFromNow()));
      await admin(sim, '/switches/reset', {});
      expect(answer.text.length).toBeGreaterThanOrEqual(2_000_000);
      const check = validateSearchsetBody(answer.text, { flavour: 'ps' });
      expect(check.problems).toEqual([]);
      expect(check.slots).toBeGreaterThan(1000);
    });

    it('refuse a bad switch with a problem and keep the previous switches', async () => {
      await admin(sim, '/switches', { latencyMs: 5 });
      for (const bad of [{ errorRate: 2 }, { errorStatus: 502 }, { malformed: 'nope' }, { latency: 5 }, { latencyMs: -1 }]) {
        const answer = await admin(sim, '/switches', bad);
        expect(answer.status).toBe(400);
        expect(answer.json).toEqual(expect.objectContaining({ status: 400, code: 'invalid-request' }));
      }
      expect((await admin(sim, '/switches')).json.latencyMs).toBe(5);
      await admin(sim, '/switches/reset', {});
    });
  });

  describe('slot mutations', () => {
    it('add, move and withdraw slots, seen by the next search', async () => {
      const rpps = sim.practitioners[3]!;
      const w = windowFromNow();
      const ids = () => get(sim, psQuery([rpps], w)).then((a) => slotsOf(a.json()));
      const start = new Date(Math.ceil((Date.now() + 30 * HOUR) / HOUR) * HOUR);
      const added = await admin(sim, '/slots', { rpps, start: start.toISOString(), end: new Date(start.getTime() + 20 * 60_000).toISOString(), consultationTypes: ['VR'] });
      expect(added.status).toBe(201);
      const slotId = added.json.id as string;
      const found = (await ids()).find((s) => s.id === slotId);
      expect(found.serviceType).toEqual([{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' }] }]);
      expect(new Date(found.start).getTime()).toBe(start.getTime());

      const later = new Date(start.getTime() + HOUR);
      expect((await admin(sim, `/slots/${slotId}/move`, { start: later.toISOString(), end: new Date(later.getTime() + 15 * 60_000).toISOString() })).status).toBe(200);
      expect(new Date((await ids()).find((s) => s.id === slotId).start).getTime()).toBe(later.getTime());

      expect((await admin(sim, `/slots/${slotId}/withdraw`, {})).status).toBe(200);
      expect((await ids()).map((s) => s.id)).not.toContain(slotId);
      expect((await admin(sim, `/slots/${slotId}/withdraw`, {})).status).toBe(409);

      const all = await admin(sim, '/slots/withdraw', { rpps });
      expect(all.json.withdrawn.length).toBeGreaterThan(0);
      expect(await ids()).toEqual([]);
    });

    it('refuse bad mutations with a problem and change nothing', async () => {
      const before = (await admin(sim, '')).json.slots;
      const now = Date.now();
      expect((await admin(sim, '/slots', { rpps: '10000000009', start: new Date(now + HOUR).toISOString(), end: new Date(now + 2 * HOUR).toISOString() })).status).toBe(404);
      expect((await admin(sim, '/slots', { rpps: sim.practitioners[0], start: new Date(now + 2 * HOUR).toISOString(), end: new Date(now + HOUR).toISOString() })).status).toBe(400);
      expect((await admin(sim, '/slots', { rpps: sim.practitioners[0], start: 'demain', end: 'après' })).json.code).toBe('invalid-request');
      expect((await admin(sim, '/slots/nope/move', { start: new Date(now).toISOString(), end: new Date(now + HOUR).toISOString() })).status).toBe(404);
      expect((await admin(sim, '')).json.slots).toEqual(before);
    });
  });

  describe('regulator accounts (INT_R02)', () => {
    const regulator = (ids: { idnps?: string; uuid?: string }, extra: Record<string, unknown> = {}) => ({
      resourceType: 'Practitioner',
      meta: { source: 'urn:oid:1.2.250.1.213.3.6' },
      identifier: [
        ...(ids.idnps ? [{ type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'IDNPS' }] }, system: IDNPS_SYSTEM, value: ids.idnps }] : []),
        ...(ids.uuid ? [{ type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'INTRN' }] }, system: 'urn:oid:1.2.250.1.213.3.6', value: ids.uuid }] : []),
      ],
      active: true,
      name: [{ family: 'FABRE', given: ['Camille'] }],
      telecom: [{ system: 'email', value: 'camille.fabre@sas.example' }],
      ...extra,
    });
    const send = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${sim.fhirBaseUrl}/${path}`, { method, headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
      return { status: response.status, location: response.headers.get('location'), json: await response.json() };
    };
    const byIdentifier = (system: string, value: string) => `Practitioner?identifier=${encodeURIComponent(`${system}|${value}`)}`;

    it('creates with PUT, updates, deactivates, and shows what it received', async () => {
      const uuid = '4b0d1c3e-1b2a-4c5d-8e9f-0a1b2c3d4e5f';
      const created = await send('PUT', byIdentifier('urn:oid:1.2.250.1.213.3.6', uuid), regulator({ uuid }));
      expect(created.status).toBe(201);
      expect(created.location).toBe(`${sim.fhirBaseUrl}/Practitioner/${created.json.id}`);
      // The national id arrives later, addressed by the old (technical) identifier.
      const updated = await send('PUT', byIdentifier('urn:oid:1.2.250.1.213.3.6', uuid), regulator({ idnps: '810991900019', uuid }));
      expect(updated.status).toBe(200);
      expect(updated.json.id).toBe(created.json.id);
      const deactivated = await send('PUT', byIdentifier(IDNPS_SYSTEM, '810991900019'), regulator({ idnps: '810991900019', uuid }, { active: false }));
      expect(deactivated.status).toBe(200);
      const found = (await get(sim, byIdentifier(IDNPS_SYSTEM, '810991900019'))).json();
      expect(found.total).toBe(1);
      expect(found.entry[0].resource.active).toBe(false);
      // After the deactivation, a new account may carry the same national id.
      const other = await send('POST', 'Practitioner', regulator({ idnps: '810991900019', uuid: '0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b' }));
      expect(other.status).toBe(201);
      const duplicate = await send('POST', 'Practitioner', regulator({ idnps: '810991900019' }));
      expect(duplicate.status).toBe(409);
      expect(duplicate.json.resourceType).toBe('OperationOutcome');
      expect((await admin(sim, '/regulators')).json.length).toBe(2);
    });

    it.each([
      ['without identifier', { identifier: [] }],
      ['with an empty family name', { name: [{ family: '', given: ['Camille'] }] }],
      ['with a phone instead of an e-mail', { telecom: [{ system: 'phone', value: '+33536490000' }] }],
      ['with an empty e-mail', { telecom: [{ system: 'email', value: '' }] }],
      ['without active', { active: undefined }],
      ['with an IDNPS typed INTRN', { identifier: [{ type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'INTRN' }] }, system: IDNPS_SYSTEM, value: '810991900027' }] }],
    ])('refuses an account %s and stores nothing', async (_name, change) => {
      const before = (await admin(sim, '/regulators')).json.length;
      const answer = await send('POST', 'Practitioner', regulator({ idnps: '810991900027' }, change));
      expect(answer.status).toBe(422);
      expect(answer.json.resourceType).toBe('OperationOutcome');
      expect((await admin(sim, '/regulators')).json.length).toBe(before);
    });
  });

  describe('booking page (end-to-end redirect)', () => {
    it('asks for the vendor login without origin, lists the agenda with origin=sas, and books a slot that then leaves the searches', async () => {
      const rpps = sim.practitioners[5]!;
      const w = windowFromNow();
      const before = slotsOf((await get(sim, psQuery([rpps], w))).json()).filter((s) => s.meta.security.some((c: Json) => ['PUBLIC', 'SNP'].includes(c.code)));
      expect(before.length).toBeGreaterThan(0);
      const target = before[0];
      expect((await fetch(target.comment)).status).toBe(401);
      expect((await fetch(`${target.comment}?origin=lrm`)).status).toBe(403);
      const pageResponse = await fetch(`${target.comment}?origin=sas-test`);
      expect(pageResponse.status).toBe(200);
      const html = await pageResponse.text();
      expect(html).toContain(`data-slot="${target.id}"`);
      expect(html).not.toMatch(/name="(patient|nom|telephone|phone)/i);

      const book = (operator: string) => fetch(`${sim.url}/agenda/reservations`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ slot: target.id, origin: 'sas-test', operator }) });
      expect((await book('Camille')).status).toBe(400);
      const booked = await book('810991900019');
      expect(booked.status).toBe(201);
      expect(await booked.text()).toContain('Rendez-vous confirmé');
      expect((await book('810991900019')).status).toBe(409);
      const after = slotsOf((await get(sim, psQuery([rpps], w))).json()).map((s) => s.id);
      expect(after).not.toContain(target.id);

      const [appointment] = (await admin(sim, '/appointments')).json.filter((a: Json) => a.slotId === target.id);
      expect(appointment.notification).toBeNull(); // notifications are off unless configured
      const example = JSON.parse(readFileSync(resolve(ROOT, 'data/reference/fhir-examples/appointment-booked.json'), 'utf8'));
      expect(Object.keys(appointment.resource).sort()).toEqual(Object.keys(example).sort());
      expect(appointment.resource.extension[0].url).toBe(example.extension[0].url);
      expect(appointment.resource.participant[0].actor.identifier.value).toBe(`8${rpps}`);
      expect(appointment.resource.slot).toEqual([{ reference: `Slot/${target.id}` }]);

      // Cancelled at the vendor: the slot is free again.
      expect((await admin(sim, `/appointments/${appointment.id}/status`, { status: 'cancelled' })).status).toBe(200);
      expect(slotsOf((await get(sim, psQuery([rpps], w))).json()).map((s) => s.id)).toContain(target.id);
    });
  });
});

describe('vendor simulator options', () => {
  it('serve the same Bundle for the same seed and day (across a DST change), another for another seed', async () => {
    const clock = fixedClock('2026-03-27T07:00:00Z'); // D+2 is the spring-forward Sunday
    const a = await createVendorSimulator({ practitioners: 30, seed: 5, clock });
    const b = await createVendorSimulator({ practitioners: 30, seed: 5, clock });
    const c = await createVendorSimulator({ practitioners: 30, seed: 6, clock });
    try {
      const w = { from: new Date('2026-03-27T07:00:00Z'), to: new Date('2026-03-29T21:59:59Z') };
      const ids = a.practitioners.slice(0, 25);
      expect(b.practitioners).toEqual(a.practitioners);
      const body = async (sim: VendorSimulator) => {
        const answer = await get(sim, psQuery(ids, w));
        expect(validateSearchsetBody(answer.text, { flavour: 'ps', window: w }).problems).toEqual([]);
        const { id: _id, link: _link, ...rest } = JSON.parse(answer.text.replaceAll(sim.url, 'http://vendor'));
        return rest;
      };
      const first = await body(a);
      expect(first.total).toBeGreaterThan(50);
      expect(await body(b)).toEqual(first);
      expect(await body(c)).not.toEqual(first);
      const sunday = slotsOf(first).filter((s) => s.start.startsWith('2026-03-29'));
      expect(sunday.length).toBeGreaterThan(0);
      for (const s of sunday) expect(s.start).toMatch(/\+02:00$/);
      expect(slotsOf(first).filter((s) => s.start.startsWith('2026-03-27')).every((s) => s.start.endsWith('+01:00'))).toBe(true);
    } finally {
      await Promise.all([a.stop(), b.stop(), c.stop()]);
    }
  });

  it('serve the RPPS numbers given, refuse invalid ones', async () => {
    const clock = fixedClock('2026-11-23T07:00:00Z');
    const sim = await createVendorSimulator({ practitioners: ['10991003103'], sosMedecins: 0, cpts: 0, clock });
    try {
      expect(sim.practitioners).toEqual(['10991003103']);
      const w = { from: new Date('2026-11-23T07:00:00Z'), to: new Date('2026-11-25T22:59:59Z') };
      const bundle = (await get(sim, psQuery(['10991003103'], w))).json();
      const known = (await admin(sim, '/slots?rpps=10991003103&status=free')).json;
      expect(bundle.total).toBeGreaterThan(0);
      expect(bundle.total).toBe(known.filter((s: Json) => !(s.audiences.length === 1 && s.audiences[0] === 'CPTS')).length);
      expect(resourcesOf(bundle, 'Practitioner').map((p) => p.identifier[0].value)).toEqual(['810991003103']);
    } finally {
      await sim.stop();
    }
    await expect(createVendorSimulator({ practitioners: ['10991003104'] })).rejects.toThrow(VendorSimOptionsError);
    await expect(createVendorSimulator({ switches: { errorRate: 3 } })).rejects.toThrow(/errorRate/);
  });

  it('refuse booking on an aggregation-only vendor', async () => {
    const sim = await createVendorSimulator({ practitioners: 5, capability: 'aggregation' });
    try {
      const [slot] = (await admin(sim, '/slots?status=free')).json.filter((s: Json) => s.shownBySas && new Date(s.start).getTime() > Date.now());
      const html = await (await fetch(`${slot.comment}?origin=sas`)).text();
      expect(html).toContain('n’est pas proposée');
      expect(html).not.toContain('<form');
      const response = await fetch(`${sim.url}/agenda/reservations`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ slot: slot.id, origin: 'sas', operator: '810991900019' }) });
      expect(response.status).toBe(403);
      expect((await admin(sim, `/slots?status=booked`)).json).toEqual([]);
    } finally {
      await sim.stop();
    }
  });

  it('record a failed Appointment notification when the platform cannot be reached, the booking standing', async () => {
    const sim = await createVendorSimulator({ practitioners: 5, appointments: { endpoint: 'http://127.0.0.1:1/fhir' } });
    try {
      const [slot] = (await admin(sim, '/slots?status=free')).json.filter((s: Json) => s.shownBySas && new Date(s.start).getTime() > Date.now());
      const response = await fetch(`${sim.url}/agenda/reservations`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ slot: slot.id, origin: 'sas', operator: '4b0d1c3e-1b2a-4c5d-8e9f-0a1b2c3d4e5f' }) });
      expect(response.status).toBe(201);
      const [appointment] = (await admin(sim, '/appointments')).json;
      expect(appointment.notification).toEqual(expect.objectContaining({ status: null, error: expect.any(String) }));
      expect(appointment.resource.extension[0].valueReference.identifier).toEqual(expect.objectContaining({ system: 'urn:oid:1.2.250.1.213.3.6', value: '4b0d1c3e-1b2a-4c5d-8e9f-0a1b2c3d4e5f' }));
    } finally {
      await sim.stop();
    }
  });
});

describe('npm run sas -- vendor-sim', () => {
  it('runs standalone, prints its base URL and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['src/cli/sas.ts', 'vendor-sim', '--port', '0', '--practitioners', '5', '--seed', '3', '--vendor', 'Agenda Test', '--latency', '10'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' } });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while (!/FHIR base URL: (\S+)/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const base = /FHIR base URL: (\S+)/.exec(out)?.[1];
    expect(base, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    const state = await (await fetch(base!.replace(/\/fhir$/, '/_sim'))).json();
    expect(state).toEqual(expect.objectContaining({ vendor: 'Agenda Test', practitioners: 5, seed: 3 }));
    expect(state.switches.latencyMs).toBe(10);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it.each([
    [['--practitioners', 'many'], /--practitioners needs a whole number/],
    [['--port'], /--port needs a value/],
    [['--error-rate', '1.5'], /--error-rate needs a rate/],
    [['--malformed', 'broken'], /--malformed needs one of/],
    [['--capability', 'booking'], /--capability needs end-to-end or aggregation/],
    [['--frobnicate', '1'], /Unknown option "--frobnicate"/],
  ])('refuses %j with exit 64 and a clear message', (args, message) => {
    const result = spawnSync(process.execPath, ['src/cli/sas.ts', 'vendor-sim', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' }, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(64);
    expect(result.stderr).toMatch(message);
  });
});
