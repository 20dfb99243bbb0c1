import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';

const RPPS = '10000000009'; // a syntactically valid RPPS (Luhn)
const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

describe.skipIf(!testDatabaseUrl)('manual slots over HTTP (publish, withdraw, list)', () => {
  let t: TestPlatform;
  /** The demo effecteur (RPPS 10000000009) and an effecteur at its first login, both logged in through PSC. */
  let effecteur: LoggedIn;
  let newcomer: LoggedIn;
  /** fetch as the logged-in effecteur (session cookie + CSRF token). */
  const as = (who: LoggedIn, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
    fetch(`${t.url}${path}`, {
      method: init.method ?? 'GET',
      headers: { cookie: `sas_session=${who.browser.cookies.get('sas_session')}`, 'x-csrf-token': who.csrfToken, ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
  const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }, who = effecteur) =>
    as(who, '/api/availability/slots', { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const list = async (query = '', who = effecteur) =>
    (await (await as(who, `/api/availability/slots${query}`)).json()) as { items: { slotId: string; start?: string }[]; nextCursor: string | null };
  const head = () => t.platform.eventStore.headPosition();

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    effecteur = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
    newcomer = await loginAs(t.url, demoIdentityByRole('nouvel-effecteur').nationalId);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('publishes a slot, shows it in the upcoming free slots, then withdraws it', async () => {
    const response = await post({ effecteurId: RPPS, start: inHours(2), end: inHours(2.5), consultationTypes: ['cabinet', 'teleconsultation'] });
    expect(response.status).toBe(201);
    const { slotId } = (await response.json()) as { slotId: string };
    expect(response.headers.get('location')).toBe(`/api/availability/slots/${slotId}`);
    expect(response.headers.get('x-correlation-id')).toBeTruthy();

    const one = await as(effecteur, `/api/availability/slots/${slotId}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ status: 'published', effecteurId: RPPS, revision: 0 });

    await eventually(async () => (await list(`?effecteurId=${RPPS}`)).items.some((s) => s.slotId === slotId));
    const [event] = await t.platform.eventStore.readStream(`availability.slot-${slotId}`);
    expect(event).toMatchObject({ type: 'SlotPublished', data: { slotId, effecteurId: RPPS, source: 'manual' } });

    const withdrawn = await as(effecteur, `/api/availability/slots/${slotId}?reason=imprevu`, { method: 'DELETE' });
    expect(withdrawn.status).toBe(204);
    await eventually(async () => !(await list(`?effecteurId=${RPPS}`)).items.some((s) => s.slotId === slotId));
    // Withdrawing again is harmless and appends nothing.
    const before = await head();
    expect((await as(effecteur, `/api/availability/slots/${slotId}`, { method: 'DELETE' })).status).toBe(204);
    expect(await head()).toBe(before);
  });

  it('a retried publication with the same slot id is accepted once', async () => {
    const slotId = crypto.randomUUID();
    const body = { slotId, effecteurId: RPPS, start: inHours(5), end: inHours(5.25) };
    expect((await post(body)).status).toBe(201);
    const before = await head();
    expect((await post(body)).status).toBe(200);
    expect(await head()).toBe(before);
    const clash = await post({ ...body, end: inHours(6) });
    expect(clash.status).toBe(409);
    expect(await clash.json()).toMatchObject({ code: 'SlotIdIsAlreadyUsed' });
  });

  it('lists upcoming free slots in start order with a cursor', async () => {
    const effecteurId = demoIdentityByRole('nouvel-effecteur').nationalId.slice(1);
    for (const h of [30, 10, 20]) expect((await post({ effecteurId, start: inHours(h), end: inHours(h + 0.5) }, undefined, newcomer)).status).toBe(201);
    let page: { items: { slotId: string; start?: string }[]; nextCursor: string | null } = { items: [], nextCursor: null };
    await eventually(async () => (await list(`?effecteurId=${effecteurId}&limit=3`, newcomer)).items.length === 3);
    page = await list(`?effecteurId=${effecteurId}&limit=2`, newcomer);
    expect(page.nextCursor).not.toBeNull();
    const rest = await list(`?effecteurId=${effecteurId}&limit=2&cursor=${page.nextCursor}`, newcomer);
    const starts = [...page.items, ...rest.items].map((s) => s.start);
    expect(starts).toHaveLength(3);
    expect([...starts].sort()).toEqual(starts);
    const bad = await as(effecteur, `/api/availability/slots?effecteurId=${RPPS}&cursor=garbage`);
    expect(bad.status).toBe(400);
  });

  describe('bad input answers 4xx with problem details and appends nothing', () => {
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['missing fields', () => post({}), 400, /body\.effecteurId/],
      ['wrong types', () => post({ effecteurId: 10000000009, start: 12, end: true, consultationTypes: 'cabinet' }), 400, /body\.start/],
      ['start after end', () => post({ effecteurId: RPPS, start: inHours(3), end: inHours(2) }), 400, /SlotMustEndAfterItStarts/],
      ['a slot in the past', () => post({ effecteurId: RPPS, start: inHours(-3), end: inHours(-2) }), 400, /SlotCannotStartInThePast/],
      ['unknown effecteur id format', () => post({ effecteurId: '12345', start: inHours(2), end: inHours(3) }), 400, /RPPS|rpps/],
      ['an RPPS with a wrong check digit', () => post({ effecteurId: '10000000001', start: inHours(2), end: inHours(3) }), 400, /RPPS|rpps/],
      ['an unknown consultation type', () => post({ effecteurId: RPPS, start: inHours(2), end: inHours(3), consultationTypes: ['salon'] }), 400, /consultationTypes/],
      ['an unknown field', () => post({ effecteurId: RPPS, start: inHours(2), end: inHours(3), patientName: 'Jean Dupont' }), 400, /patientName/],
      ['a date without time zone', () => post({ effecteurId: RPPS, start: '2030-01-01T10:00:00', end: '2030-01-01T11:00:00' }), 400, /body\.start/],
      ['malformed JSON', () => post('{"effecteurId": '), 400, /JSON/],
      ['a body that is not JSON', () => post('effecteurId=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415, /application\/json/],
      ['a 5 MB body', () => post({ effecteurId: RPPS, start: inHours(2), end: inHours(3), pad: 'x'.repeat(5 * 1024 * 1024) }), 413, /taille/],
      ['a JSON array body', () => post([1, 2]), 400, /body/],
      ['a slot in another effecteur’s agenda', () => post({ effecteurId: '10000000017', start: inHours(2), end: inHours(3) }), 403, /Accès refusé/],
      ['publishing without a session', () => fetch(`${t.url}/api/availability/slots`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ effecteurId: RPPS, start: inHours(2), end: inHours(3) }) }), 401, /AuthenticationRequired/],
      ['withdrawing a slot id that is not a UUID', () => as(effecteur, '/api/availability/slots/not-a-uuid', { method: 'DELETE' }), 400, /params\.slotId/],
      ['withdrawing an unknown slot', () => as(effecteur, `/api/availability/slots/${crypto.randomUUID()}`, { method: 'DELETE' }), 404, /SlotDoesNotExist/],
      ['an unknown route', () => as(effecteur, '/api/nothing-here'), 404, /route-not-found/],
      ['a bad list filter', () => as(effecteur, `/api/availability/slots?effecteurId=${RPPS}&limit=0&from=yesterday`), 400, /query\.limit/],
    ];
    for (const [name, send, status, detail] of cases) {
      it(name, async () => {
        const before = await head();
        const response = await send();
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
        const body = (await response.json()) as { status: number; title: string; detail: string; code: string; type: string };
        expect(body.status).toBe(status);
        expect(body.title).toBeTruthy();
        expect(`${body.code} ${body.detail} ${JSON.stringify(body)}`).toMatch(detail);
        expect(await head()).toBe(before);
      });
    }
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    const body = (await ready.json()) as { status: string; checks: { name: string; ok: boolean }[] };
    expect(ready.status).toBe(200);
    expect(body.checks.map((c) => c.name)).toEqual(['event-store', 'read-store', 'jobs', 'projections']);
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toMatch(/sas_projection_lag_events\{projection="availability_free_slots"\} \d+/);
    expect(metrics).toMatch(/sas_http_requests_total\{method="POST",route="\/api\/availability\/slots",status="201"\}/);
    expect(metrics).toMatch(/sas_event_store_head_position \d+/);
  });

  it('sends security headers', async () => {
    const response = await fetch(`${t.url}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBeTruthy();
    expect(response.headers.get('x-powered-by')).toBeNull();
  });
});
