import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { agendaSlotId } from '../../src/modules/availability/domain/agenda-slot-id.ts';
import { findIndexedSlot } from '../../src/modules/availability/infrastructure/slot-index.projection.ts';
import { agendaStreamName, slotStreamName } from '../../src/modules/availability/contracts/availability.events.ts';

const RPPS = '10000000009'; // the demo effecteur (Dr Claire Dubois)
const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
/** The Paris civil date `days` from now ('YYYY-MM-DD'). */
const parisDate = (days: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(Date.now() + days * 86_400_000));

describe.skipIf(!testDatabaseUrl)('booking a manual slot or range over HTTP (never twice)', () => {
  let t: TestPlatform;
  let regulator: LoggedIn;
  let ioa: LoggedIn;
  let effecteur: LoggedIn;
  let hour = 2;
  const head = () => t.platform.eventStore.headPosition();

  const book = (slotId: string, init: { json?: unknown; headers?: Record<string, string>; body?: string; who?: LoggedIn } = {}) => {
    const who = init.who ?? regulator;
    return fetch(`${t.url}/api/slots/${slotId}/bookings`, {
      method: 'POST',
      headers: {
        cookie: `sas_session=${who.browser.cookies.get('sas_session')}`,
        'x-csrf-token': who.csrfToken,
        ...(init.json !== undefined || init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : init.body !== undefined ? { body: init.body } : {}),
    });
  };
  const cancel = (slotId: string, bookingId: string, query = '', who = regulator) =>
    who.api(`/api/slots/${slotId}/bookings/${bookingId}${query}`, { method: 'DELETE' });
  const freeSlotIds = async (who = regulator) => {
    const response = await who.api(`/api/availability/slots?effecteurId=${RPPS}&limit=500`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: { slotId: string }[] }).items.map((s) => s.slotId);
  };
  /** A new manual slot of the demo effecteur, published over HTTP. */
  async function publishSlot(): Promise<string> {
    const start = hour++;
    const response = await effecteur.api('/api/availability/slots', { method: 'POST', json: { effecteurId: RPPS, start: inHours(start), end: inHours(start + 0.25) } });
    expect(response.status).toBe(201);
    return ((await response.json()) as { slotId: string }).slotId;
  }
  /** A new one-off occurrence of the demo effecteur's agenda, through the agenda's HTTP API; answers its public slot id. */
  async function createAgendaAvailability(offer: { kind: 'slot' } | { kind: 'range'; patients: number }, day: number, startTime: string, endTime: string): Promise<string> {
    const availabilityId = `test-${crypto.randomUUID()}`;
    const response = await effecteur.api(`/api/agendas/${RPPS}/availabilities`, {
      method: 'POST',
      json: { availabilityId, ...offer, date: parisDate(day), startTime, endTime, consultationTypes: ['cabinet'] },
    });
    expect(response.status, await response.clone().text()).toBe(201);
    const slotId = agendaSlotId(RPPS, availabilityId);
    // A regulator reaches an agenda slot through search, a projection: by then the slot index (also one) has it.
    await eventually(async () => (await findIndexedSlot(t.platform.readDb, slotId)) !== null);
    return slotId;
  }

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    ioa = await loginAs(t.url, demoIdentityByRole('ioa').nationalId);
    effecteur = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('100 concurrent bookings of one slot: exactly one 201, 99 × 409, one SlotBooked in the store', async () => {
    const slotId = await publishSlot();
    const responses = await Promise.all(Array.from({ length: 100 }, () => book(slotId)));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(99);
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, unknown>>));
    const refused = bodies.filter((_, i) => statuses[i] === 409);
    // Every loser is refused by the rule, decided again on the fresh state — not by a bare version conflict.
    expect(new Set(refused.map((b) => b.code))).toEqual(new Set(['SlotAlreadyBooked']));
    const winner = bodies[statuses.indexOf(201)]!;
    expect(winner).toMatchObject({ slotId, remainingPlaces: 0 });
    expect(responses[statuses.indexOf(201)]!.headers.get('location')).toBe(`/api/slots/${slotId}/bookings/${String(winner.bookingId)}`);
    const stream = await t.platform.eventStore.readStream(slotStreamName(slotId));
    const booked = stream.filter((e) => e.type === 'SlotBooked');
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ data: { slotId, effecteurId: RPPS, bookingId: winner.bookingId, source: 'manual', remainingPlaces: 0 } });
    expect(booked[0]!.metadata.actor.accountId).toBe(regulator.me.accountId);
  });

  it('a range of 3 places under 20 concurrent bookings: exactly 3 succeed, the others are told it is full', async () => {
    const slotId = await createAgendaAvailability({ kind: 'range', patients: 3 }, 2, '14:00', '16:00');
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => book(slotId, { who: i % 2 ? ioa : regulator })));
    const statuses = responses.map((r) => r.status);
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<Record<string, unknown>>));
    expect(statuses.filter((s) => s === 201)).toHaveLength(3);
    expect(statuses.filter((s) => s === 409)).toHaveLength(17);
    expect(new Set(bodies.filter((_, i) => statuses[i] === 409).map((b) => b.code))).toEqual(new Set(['RangeIsFull']));
    expect(bodies.filter((_, i) => statuses[i] === 201).map((b) => b.remainingPlaces).sort()).toEqual([0, 1, 2]);
    const stream = await t.platform.eventStore.readStream(agendaStreamName(RPPS));
    expect(stream.filter((e) => e.type === 'SlotBooked' && e.data.slotId === slotId)).toHaveLength(3);
    expect(stream.filter((e) => e.type === 'AgendaOccurrenceBooked')).toHaveLength(3);

    // Cancelling one booking frees one place: one more booking succeeds, the next is refused.
    const first = String(bodies[statuses.indexOf(201)]!.bookingId);
    expect((await cancel(slotId, first, '?reason=desistement-patient')).status).toBe(204);
    const again = await book(slotId);
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({ remainingPlaces: 0 });
    expect((await book(slotId)).status).toBe(409);
    const cancelled = (await t.platform.eventStore.readStream(agendaStreamName(RPPS))).filter((e) => e.type === 'BookingCancelled');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]).toMatchObject({ data: { slotId, bookingId: first, reason: 'desistement-patient', remainingPlaces: 1 } });
  });

  it('an agenda slot: booked once, hidden from the free slots, back after the cancellation', async () => {
    const slotId = await createAgendaAvailability({ kind: 'slot' }, 3, '09:00', '09:20');
    await eventually(async () => (await freeSlotIds()).includes(slotId));
    const orientationId = crypto.randomUUID();
    const response = await book(slotId, { json: { orientationId } });
    expect(response.status).toBe(201);
    const { bookingId } = (await response.json()) as { bookingId: string };
    const second = await book(slotId, { who: ioa });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ code: 'SlotIsAlreadyBooked' });
    const booked = (await t.platform.eventStore.readStream(agendaStreamName(RPPS))).filter((e) => e.type === 'SlotBooked' && e.data.slotId === slotId);
    expect(booked).toHaveLength(1);
    expect(booked[0]).toMatchObject({ data: { bookingId, orientationId, remainingPlaces: 0 } });
    await eventually(async () => !(await freeSlotIds()).includes(slotId));

    expect((await cancel(slotId, bookingId)).status).toBe(204);
    await eventually(async () => (await freeSlotIds()).includes(slotId));
    expect((await book(slotId, { who: ioa })).status).toBe(201);
  });

  it('cancelling frees a manual slot: visible again in GET /api/availability/slots and bookable again', async () => {
    const slotId = await publishSlot();
    await eventually(async () => (await freeSlotIds()).includes(slotId));
    const response = await book(slotId, { json: {} });
    expect(response.status).toBe(201);
    const { bookingId } = (await response.json()) as { bookingId: string };
    await eventually(async () => !(await freeSlotIds()).includes(slotId));
    // A booked slot cannot be withdrawn by its effecteur.
    const withdraw = await effecteur.api(`/api/availability/slots/${slotId}`, { method: 'DELETE' });
    expect(withdraw.status).toBe(409);
    expect(await withdraw.json()).toMatchObject({ code: 'BookedSlotCannotBeEdited' });

    expect((await cancel(slotId, bookingId, '?reason=erreur-orientation', ioa)).status).toBe(204);
    await eventually(async () => (await freeSlotIds()).includes(slotId));
    // The same cancellation again changes nothing.
    const before = await head();
    expect((await cancel(slotId, bookingId)).status).toBe(204);
    expect(await head()).toBe(before);
    const rebooked = await book(slotId);
    expect(rebooked.status).toBe(201);
    expect(((await rebooked.json()) as { bookingId: string }).bookingId).not.toBe(bookingId);
    await eventually(async () => !(await freeSlotIds()).includes(slotId));
  });

  it('an Idempotency-Key makes a retried booking return the same booking instead of a second one', async () => {
    const slotId = await publishSlot();
    const key = crypto.randomUUID();
    const first = await book(slotId, { headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ bookingId: key, slotId, remainingPlaces: 0 });
    const before = await head();
    const retry = await book(slotId, { headers: { 'idempotency-key': key } });
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ bookingId: key, slotId });
    expect(await head()).toBe(before);
    const other = await book(slotId, { headers: { 'idempotency-key': crypto.randomUUID() } });
    expect(other.status).toBe(409);
  });

  it('a withdrawn slot is not booked', async () => {
    const slotId = await publishSlot();
    expect((await effecteur.api(`/api/availability/slots/${slotId}`, { method: 'DELETE' })).status).toBe(204);
    const response = await book(slotId);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: 'SlotWasWithdrawn' });
  });

  it('a vendor slot is refused: its booking goes through the vendor', async () => {
    const slotId = crypto.randomUUID();
    const metadata = { eventId: crypto.randomUUID(), correlationId: crypto.randomUUID(), causationId: null, actor: { accountId: 'system', role: 'system' }, occurredAt: new Date().toISOString(), schemaVersion: 1 };
    // What the vendor aggregation appends for a slot it read from a vendor's FHIR endpoint.
    await t.platform.eventStore.appendToStream(
      `availability.vendor-test-${slotId}`,
      [{ type: 'SlotPublished', data: { slotId, effecteurId: RPPS, start: inHours(30), end: inHours(30.25), consultationTypes: ['cabinet'], source: 'vendor' }, metadata }],
      { expectedRevision: 'no-stream' },
    );
    let response: Response | undefined;
    await eventually(async () => {
      response = await book(slotId);
      return response.status !== 404;
    });
    expect(response!.status).toBe(409);
    const body = (await response!.json()) as { code: string; detail: string };
    expect(body.code).toBe('VendorSlotIsBookedAtTheVendor');
    expect(body.detail).toMatch(/éditeur/);
    const stream = await t.platform.eventStore.readStream(`availability.vendor-test-${slotId}`);
    expect(stream.map((e) => e.type)).toEqual(['SlotPublished']);
  });

  it('a slot is not booked while its effecteur is unavailable, and is again after', async () => {
    const slotId = await publishSlot();
    const agendaSlot = await createAgendaAvailability({ kind: 'slot' }, 4, '11:00', '11:20');
    const indefinite = (on: boolean) => effecteur.api(`/api/agendas/${RPPS}/unavailabilities/indefinite`, { method: 'PUT', json: { on } });
    expect((await indefinite(true)).status).toBeLessThan(300);
    try {
      for (const id of [slotId, agendaSlot]) {
        const before = await head();
        const refused = await book(id);
        expect(refused.status).toBe(409);
        expect(await refused.json()).toMatchObject({ code: 'EffecteurIsUnavailable' });
        expect(await head()).toBe(before);
      }
    } finally {
      expect((await indefinite(false)).status).toBeLessThan(300);
    }
    expect((await book(slotId)).status).toBe(201);
    expect((await book(agendaSlot)).status).toBe(201);
  });

  describe('bad requests answer 4xx with problem details and append nothing', () => {
    let slotId: string;
    let bookingId: string;
    beforeAll(async () => {
      slotId = await publishSlot();
      const response = await book(slotId);
      bookingId = ((await response.json()) as { bookingId: string }).bookingId;
      const free = await publishSlot();
      slotIdFree = free;
    });
    let slotIdFree: string;
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['patient data in the body', () => book(slotIdFree, { json: { patientName: 'Jean Dupont', phone: '0600000000' } }), 400, /patientName/],
      ['an orientation id that is not a UUID', () => book(slotIdFree, { json: { orientationId: 'orientation-1' } }), 400, /body\.orientationId/],
      ['a JSON array body', () => book(slotIdFree, { json: [1, 2] }), 400, /body/],
      ['malformed JSON', () => book(slotIdFree, { body: '{"orientationId": ' }), 400, /JSON/],
      ['a body that is not JSON', () => book(slotIdFree, { body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, /application\/json/],
      ['an Idempotency-Key that is not a UUID', () => book(slotIdFree, { headers: { 'idempotency-key': 'retry-1' } }), 400, /Idempotency-Key/],
      ['a slot id that is not a UUID', () => book('not-a-uuid'), 400, /params\.slotId/],
      ['an unknown slot', () => book(crypto.randomUUID()), 404, /SlotDoesNotExist/],
      ['booking as an effecteur', () => book(slotIdFree, { who: effecteur }), 403, /Accès refusé/],
      ['booking without a session', () => fetch(`${t.url}/api/slots/${slotIdFree}/bookings`, { method: 'POST' }), 401, /AuthenticationRequired/],
      ['cancelling an unknown booking', () => cancel(slotId, crypto.randomUUID()), 404, /BookingDoesNotExist/],
      ['cancelling a booking of an unknown slot', () => cancel(crypto.randomUUID(), crypto.randomUUID()), 404, /SlotDoesNotExist/],
      ['cancelling with a free-text reason', () => cancel(slotId, bookingId, '?reason=Jean%20Dupont%20ne%20vient%20pas'), 400, /query\.reason/],
      ['cancelling as an effecteur', () => cancel(slotId, bookingId, '', effecteur), 403, /Accès refusé/],
      ['a booking id that is not a UUID', () => cancel(slotId, 'abc'), 400, /params\.bookingId/],
    ];
    for (const [name, send, status, detail] of cases) {
      it(name, async () => {
        const before = await head();
        const response = await send();
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
        const body = (await response.json()) as { status: number; title: string; detail: string; code: string };
        expect(body.status).toBe(status);
        expect(`${body.code} ${body.detail} ${JSON.stringify(body)}`).toMatch(detail);
        expect(await head()).toBe(before);
      });
    }
    it('the slot of these refused requests is still free and its booked neighbour still booked', async () => {
      const stream = await t.platform.eventStore.readStream(slotStreamName(slotIdFree));
      expect(stream.map((e) => e.type)).toEqual(['SlotPublished']);
      expect((await book(slotId)).status).toBe(409);
    });
  });
});
