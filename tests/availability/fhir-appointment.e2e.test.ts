/**
 * The FHIR endpoint where booking vendors report appointments (POST / conditional PUT / search /fhir/Appointment),
 * against the real HTTP server, event store and projections. Notifications are built from the guide's example
 * (data/reference/fhir-examples/appointment-booked.json) with the times and the slot of a vendor slot published
 * in the test (the aggregation job that publishes them in production is another use case).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotStreamName } from '../../src/modules/availability/contracts/availability.events.ts';
import { vendorAppointmentId } from '../../src/modules/availability/domain/vendor-appointment.ts';
import { vendorSlotId } from '../../src/modules/availability/domain/vendor-slot-id.ts';
import { clientStreamName } from '../../src/modules/identity/contracts/identity.events.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { hashSecret, newClientSecret } from '../../src/modules/identity/infrastructure/client-secrets.ts';
import { IDENTITY } from '../../src/modules/identity/identity.tokens.ts';
import { systemActor } from '../../src/shared-kernel/events/envelope.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const EXAMPLE = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../data/reference/fhir-examples/appointment-booked.json'), 'utf8')) as Record<string, any>;
/** The example's doctor (Dr Camille AUBRELAC, IDNPS 810991003103). */
const RPPS = '10991003103';
const HOUR = 3_600_000;

type Json = Record<string, any>;
type Slot = { readonly vendor: string; readonly fhirSlotId: string; readonly slotId: string; readonly start: Date; readonly end: Date };
const fhirInstant = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');

describe.skipIf(!testDatabaseUrl)('FHIR Appointment notifications from booking vendors', () => {
  let t: TestPlatform;
  let regulator: LoggedIn;
  /** Shifts the platform's clock (a consultation is reported fulfilled after its start). */
  let offsetMs = 0;
  const auth = new Map<string, string>();
  let hour = 2;
  const head = () => t.platform.eventStore.headPosition();
  const streamTypes = async (slot: Slot) => (await t.platform.eventStore.readStream(slotStreamName(slot.slotId))).map((e) => e.type);

  async function registerClient(clientId: string, kind: 'vendor' | 'lrm'): Promise<void> {
    const deps = t.platform.containers.get('identity')!.get(IDENTITY.deps);
    const secret = newClientSecret();
    const ctx = { actor: { accountId: 'test', role: 'test' }, correlationId: deps.newId(), now: new Date() };
    await deps.clients.handle(clientStreamName(clientId), { type: 'RegisterClient', clientId, kind, name: clientId, secretHash: await hashSecret(secret) }, ctx);
    auth.set(clientId, `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`);
  }

  /** A free slot of the example's doctor at `vendor`, as aggregation publishes it: SlotPublished (source vendor) on its stream. */
  async function publishVendorSlot(vendor = 'vendor-a', fhirSlotId = `s-${randomUUID().slice(0, 8)}`): Promise<Slot> {
    const start = new Date(Math.ceil((Date.now() + hour++ * HOUR) / 60_000) * 60_000);
    const end = new Date(start.getTime() + 20 * 60_000);
    const slotId = vendorSlotId(vendor, fhirSlotId);
    await t.platform.eventStore.appendToStream(
      slotStreamName(slotId),
      [
        {
          type: 'SlotPublished',
          data: { slotId, effecteurId: RPPS, start: start.toISOString(), end: end.toISOString(), consultationTypes: ['cabinet'], source: 'vendor' },
          metadata: { eventId: randomUUID(), correlationId: randomUUID(), causationId: null, actor: systemActor, occurredAt: new Date().toISOString(), schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'no-stream' },
    );
    return { vendor, fhirSlotId, slotId, start, end };
  }

  /** The guide's example notification, for `slot`, with a fresh identifier unless given, and `changes` applied. */
  function notification(slot: Slot, changes: Json = {}): Json {
    const resource = structuredClone(EXAMPLE);
    resource.identifier = [{ system: 'urn:oid:1.2.250.1.999.1.1', value: randomUUID() }];
    resource.start = fhirInstant(slot.start);
    resource.end = fhirInstant(slot.end);
    resource.slot = [{ reference: `Slot/${slot.fhirSlotId}` }];
    return { ...resource, ...changes };
  }
  const identifierOf = (resource: Json) => resource.identifier[0] as { system: string; value: string };
  const query = (resource: Json) => `identifier=${encodeURIComponent(`${identifierOf(resource).system}|${identifierOf(resource).value}`)}`;

  function fhir(method: string, path: string, init: { body?: unknown; raw?: string; as?: string; authorization?: string | null; contentType?: string } = {}) {
    const authorization = init.authorization === undefined ? auth.get(init.as ?? 'vendor-a')! : init.authorization;
    const hasBody = init.body !== undefined || init.raw !== undefined;
    return fetch(`${t.url}/fhir${path}`, {
      method,
      headers: {
        accept: 'application/fhir+json',
        ...(authorization ? { authorization } : {}),
        ...(hasBody ? { 'content-type': init.contentType ?? 'application/fhir+json' } : {}),
      },
      ...(hasBody ? { body: init.raw ?? JSON.stringify(init.body) } : {}),
    });
  }
  const post = (resource: unknown, as = 'vendor-a') => fhir('POST', '/Appointment', { body: resource, as });
  const put = (resource: Json, as = 'vendor-a', q = query(resource)) => fhir('PUT', `/Appointment?${q}`, { body: resource, as });

  async function freeSlotIds(): Promise<string[]> {
    const response = await regulator.api(`/api/availability/slots?effecteurId=${RPPS}&limit=500`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { items: { slotId: string }[] }).items.map((s) => s.slotId);
  }
  const listed = async (slot: Slot) => (await freeSlotIds()).includes(slot.slotId);

  /** Expects an OperationOutcome with `status`, whose issues name `rules`, and nothing appended since `before`. */
  async function expectRefused(response: Response, status: number, rules: readonly string[], before: number): Promise<Json> {
    const body = (await response.json()) as Json;
    expect(response.status, JSON.stringify(body)).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(body.resourceType).toBe('OperationOutcome');
    for (const issue of body.issue) {
      expect(issue.severity).toBe('error');
      expect(typeof issue.code).toBe('string');
      expect(issue.diagnostics.length).toBeGreaterThan(0);
    }
    const named = body.issue.map((i: Json) => i.details?.coding?.[0]?.code);
    for (const rule of rules) expect(named).toContain(rule);
    expect(await head()).toBe(before);
    return body;
  }

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' }, clock: () => new Date(Date.now() + offsetMs) });
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    await registerClient('vendor-a', 'vendor');
    await registerClient('vendor-b', 'vendor');
    await registerClient('lrm-x', 'lrm');
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('accepts the guide’s example as a booking (201, Location, ETag, SlotBooked), then its fulfilment (AppointmentFulfilled)', async () => {
    const slot = await publishVendorSlot();
    await eventually(() => listed(slot));
    const booked = notification(slot);
    const created = await post(booked);
    const body = (await created.json()) as Json;
    expect(created.status, JSON.stringify(body)).toBe(201);
    const appointmentId = vendorAppointmentId('vendor-a', identifierOf(booked));
    expect(created.headers.get('location')).toBe(`/fhir/Appointment/${appointmentId}`);
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(body).toMatchObject({ resourceType: 'Appointment', id: appointmentId, meta: { versionId: '1' }, status: 'booked', identifier: booked.identifier, slot: booked.slot });
    expect(body.extension).toEqual(EXAMPLE.extension);
    expect(body.participant).toEqual(EXAMPLE.participant);

    const events = await t.platform.eventStore.readStream(slotStreamName(slot.slotId));
    expect(events.map((e) => e.type)).toEqual(['SlotPublished', 'SlotBooked', 'VendorAppointmentRecorded']);
    expect(events[1]!.data).toMatchObject({ slotId: slot.slotId, effecteurId: RPPS, bookingId: appointmentId, source: 'vendor', remainingPlaces: 0 });
    expect(events[1]!.metadata.actor).toEqual({ accountId: 'client:vendor-a', role: 'vendor' });
    await eventually(async () => !(await listed(slot)));

    // Read back: the search by identifier and the Location.
    await eventually(async () => ((await (await fhir('GET', `/Appointment?${query(booked)}`)).json()) as Json).total === 1);
    const bundle = (await (await fhir('GET', `/Appointment?${query(booked)}`)).json()) as Json;
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(bundle.entry[0].resource).toEqual(body);
    expect(bundle.entry[0].fullUrl).toMatch(new RegExp(`/fhir/Appointment/${appointmentId}$`));
    const read = await fhir('GET', `/Appointment/${appointmentId}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(body);

    // Fulfilled before the consultation: refused; after its start: AppointmentFulfilled, for the participation module.
    let before = await head();
    await expectRefused(await put({ ...booked, status: 'fulfilled' }), 422, ['AppointmentHasNotTakenPlaceYet'], before);
    offsetMs = slot.start.getTime() - Date.now() + 10 * 60_000;
    try {
      const fulfilled = await put({ ...booked, status: 'fulfilled' });
      const fulfilledBody = (await fulfilled.json()) as Json;
      expect(fulfilled.status, JSON.stringify(fulfilledBody)).toBe(200);
      expect(fulfilled.headers.get('etag')).toBe('W/"2"');
      expect(fulfilledBody).toMatchObject({ id: appointmentId, status: 'fulfilled', meta: { versionId: '2' } });
      const after = await t.platform.eventStore.readStream(slotStreamName(slot.slotId));
      expect(after.map((e) => e.type).slice(3)).toEqual(['AppointmentFulfilled', 'VendorAppointmentRecorded']);
      expect(after[3]!.data).toEqual({
        slotId: slot.slotId,
        effecteurId: RPPS,
        bookingId: appointmentId,
        vendorId: 'vendor-a',
        start: slot.start.toISOString(),
        end: slot.end.toISOString(),
      });
      // Fulfilled is final.
      before = await head();
      await expectRefused(await put({ ...booked, status: 'cancelled' }), 409, ['AppointmentStatusCannotChange'], before);
      await expectRefused(await put({ ...booked, status: 'noshow' }), 409, ['AppointmentStatusCannotChange'], before);
    } finally {
      offsetMs = 0;
    }
  });

  it('booked then cancelled frees the slot: listed again in GET /api/availability/slots; a cancelled appointment stays cancelled', async () => {
    const slot = await publishVendorSlot();
    const booked = notification(slot);
    // A conditional PUT on an unknown identifier creates it (updateCreate).
    const created = await put(booked);
    expect(created.status, await created.clone().text()).toBe(201);
    await eventually(async () => !(await listed(slot)));

    const cancelled = await put({ ...booked, status: 'cancelled' });
    expect(cancelled.status, await cancelled.clone().text()).toBe(200);
    expect(((await cancelled.json()) as Json).status).toBe('cancelled');
    expect(await streamTypes(slot)).toEqual(['SlotPublished', 'SlotBooked', 'VendorAppointmentRecorded', 'BookingCancelled', 'VendorAppointmentRecorded']);
    await eventually(() => listed(slot));

    const before = await head();
    await expectRefused(await put({ ...booked, status: 'booked' }), 409, ['AppointmentStatusCannotChange'], before);
    // The freed slot takes a new appointment (a new identifier).
    const again = await post(notification(slot));
    expect(again.status, await again.clone().text()).toBe(201);
    await eventually(async () => !(await listed(slot)));
  });

  it('the same notification sent twice appends nothing and answers the same resource', async () => {
    const slot = await publishVendorSlot();
    const booked = notification(slot);
    const first = await post(booked);
    expect(first.status).toBe(201);
    const firstBody = await first.json();
    const before = await head();

    const second = await post(booked);
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).toBe(first.headers.get('etag'));
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(await second.json()).toEqual(firstBody);
    const third = await put(booked);
    expect(third.status).toBe(200);
    expect(await third.json()).toEqual(firstBody);
    expect(await head()).toBe(before);

    // Cancelled twice: one BookingCancelled.
    expect((await put({ ...booked, status: 'cancelled' })).status).toBe(200);
    const afterCancel = await head();
    expect((await put({ ...booked, status: 'cancelled' })).status).toBe(200);
    expect(await head()).toBe(afterCancel);
    expect((await streamTypes(slot)).filter((type) => type === 'BookingCancelled')).toHaveLength(1);

    // A POST of another resource under a known identifier is not an update.
    await expectRefused(await post({ ...booked, created: '2026-01-01T00:00:00+01:00' }), 409, ['AppointmentAlreadyExists'], afterCancel);
  });

  it('concurrent notifications of two appointments on one slot: one booking, the other refused with 409', async () => {
    const slot = await publishVendorSlot();
    const responses = await Promise.all(Array.from({ length: 8 }, () => post(notification(slot))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(7);
    const refused = (await responses.find((r) => r.status === 409)!.json()) as Json;
    expect(refused.issue[0].details.coding[0].code).toBe('SlotAlreadyBooked');
    expect((await streamTypes(slot)).filter((type) => type === 'SlotBooked')).toHaveLength(1);
  });

  it('stores no patient data: a Patient participant, contained patient, texts and notes are dropped', async () => {
    const slot = await publishVendorSlot();
    const NAME = 'Zéphyrine Patientelle';
    const PHONE = '+33536491234';
    const STREET = '12 rue des Patients Imaginaires';
    const booked = notification(slot, {
      text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${NAME}</div>` },
      contained: [{ resourceType: 'Patient', id: 'p1', name: [{ family: 'Patientelle', given: ['Zéphyrine'], text: NAME }], telecom: [{ system: 'phone', value: PHONE }], address: [{ line: [STREET], city: 'Toulouse' }] }],
      participant: [
        ...EXAMPLE.participant,
        { actor: { reference: '#p1', display: NAME }, status: 'accepted' },
        { actor: { reference: 'Patient/123', display: `${NAME}, ${PHONE}, ${STREET}` }, status: 'accepted' },
      ],
      comment: `Rappeler ${NAME} au ${PHONE}`,
      patientInstruction: `Sonner au ${STREET}`,
      description: NAME,
    });
    const created = await post(booked);
    const text = await created.text();
    expect(created.status, text).toBe(201);
    await eventually(async () => ((await (await fhir('GET', `/Appointment?${query(booked)}`)).json()) as Json).total === 1);

    const stored = JSON.stringify(await t.platform.eventStore.readStream(slotStreamName(slot.slotId)));
    const { rows } = await t.platform.readDb.query('SELECT * FROM availability_vendor_appointments');
    const readModel = JSON.stringify(rows);
    for (const secret of [NAME, 'Patientelle', 'Zéphyrine', PHONE, '36491234', STREET, 'Imaginaires', 'Patient/123', '#p1']) {
      expect(stored).not.toContain(secret);
      expect(readModel).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
    expect(((JSON.parse(text) as Json).participant as Json[]).length).toBe(1);
  });

  describe('broken notifications are refused with an OperationOutcome and nothing appended', () => {
    let slot: Slot;
    beforeAll(async () => {
      slot = await publishVendorSlot();
    });

    it('malformed bodies and wrong media types: 400 / 415', async () => {
      const before = await head();
      await expectRefused(await fhir('POST', '/Appointment', { raw: '{"resourceType": "Appointment",' }), 400, ['malformed-json'], before);
      await expectRefused(await fhir('POST', '/Appointment', { body: { resourceType: 'Patient', name: [{ family: 'X' }] } }), 400, ['NotAnAppointment'], before);
      await expectRefused(await fhir('POST', '/Appointment', { body: [notification(slot)] }), 400, ['NotAResource'], before);
      await expectRefused(await fhir('POST', '/Appointment', { raw: JSON.stringify(notification(slot)), contentType: 'text/plain' }), 415, ['unsupported-media-type'], before);
      await expectRefused(await fhir('POST', '/Appointment'), 400, ['BodyIsRequired'], before);
      // application/json is accepted as well as application/fhir+json.
      const asJson = await fhir('POST', '/Appointment', { body: notification(slot, { status: 'noshow' }), contentType: 'application/json' });
      await expectRefused(asJson, 422, ['AppointmentMustFirstBeBooked'], before);
    });

    it('each profile violation is listed, with its element', async () => {
      const before = await head();
      const broken = notification(slot, {
        meta: { profile: ['http://interopsante.org/fhir/StructureDefinition/FrAppointment'] },
        identifier: [{ system: 'pas une url', value: 'a b' }],
        extension: [],
        status: 'pending',
        start: '2026-13-40 10:00',
        end: undefined,
        slot: [{ reference: 'Schedule/sch-77' }],
        participant: [{ actor: { identifier: { type: EXAMPLE.participant[0].actor.identifier.type, system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810991003104' } }, status: 'tentative' }],
      });
      const body = await expectRefused(
        await post(broken),
        422,
        [
          'AppointmentProfileIsRequired',
          'AppointmentIdentifierSystemIsInvalid',
          'AppointmentIdentifierValueIsInvalid',
          'AppointmentOperatorIsRequired',
          'AppointmentStatusIsNotSupported',
          'AppointmentTimesAreInvalid',
          'AppointmentTimesAreRequired',
          'AppointmentSlotReferenceIsInvalid',
          'AppointmentPractitionerIdnpsIsInvalid',
          'AppointmentPractitionerMustAccept',
        ],
        before,
      );
      const expressions = body.issue.flatMap((i: Json) => i.expression ?? []);
      for (const path of ['Appointment.meta.profile', 'Appointment.identifier[0].system', 'Appointment.status', 'Appointment.start', 'Appointment.end', 'Appointment.slot[0].reference', 'Appointment.participant[0].actor.identifier.value']) {
        expect(expressions).toContain(path);
      }
      expect(body.issue.find((i: Json) => i.expression?.[0] === 'Appointment.status').code).toBe('not-supported');

      const { participant: _p, ...withoutParticipant } = notification(slot);
      await expectRefused(await post(withoutParticipant), 422, ['AppointmentPractitionerIsRequired'], before);
      await expectRefused(await post(notification(slot, { end: fhirInstant(new Date(slot.start.getTime() - 60_000)) })), 422, ['AppointmentMustEndAfterItStarts'], before);
      await expectRefused(await post(notification(slot, { identifier: [...notification(slot).identifier, ...notification(slot).identifier] })), 422, ['AppointmentHasOneIdentifier'], before);
    });

    it('business rules: unknown slot, another practitioner, times outside the slot, a first report not booked', async () => {
      const before = await head();
      await expectRefused(await post(notification({ ...slot, fhirSlotId: 'never-aggregated' })), 422, ['VendorSlotIsUnknown'], before);
      const other = structuredClone(EXAMPLE.participant);
      other[0].actor.identifier.value = '810000000009';
      await expectRefused(await post(notification(slot, { participant: other })), 422, ['AppointmentPractitionerIsNotTheSlots'], before);
      await expectRefused(await post(notification(slot, { end: fhirInstant(new Date(slot.end.getTime() + 30 * 60_000)) })), 422, ['AppointmentIsOutsideItsSlot'], before);
      await expectRefused(await post(notification(slot, { status: 'cancelled' })), 422, ['AppointmentMustFirstBeBooked'], before);
      await expectRefused(await post(notification(slot, { status: 'fulfilled' })), 422, ['AppointmentMustFirstBeBooked'], before);
    });

    it('conditional updates: the identifier parameter is required and must be the resource’s', async () => {
      const before = await head();
      const resource = notification(slot);
      await expectRefused(await fhir('PUT', '/Appointment', { body: resource }), 400, ['IdentifierParameterIsRequired'], before);
      await expectRefused(await put(resource, 'vendor-a', 'identifier=urn:oid:1.2.250.1.999.1.1%7Cautre-id'), 400, ['IdentifierDoesNotMatchTheQuery'], before);
      await expectRefused(await put(resource, 'vendor-a', 'identifier=sans-barre'), 400, ['IdentifierParameterIsRequired'], before);
      await expectRefused(await fhir('GET', '/Appointment'), 400, ['IdentifierParameterIsRequired'], before);
      await expectRefused(await fhir('DELETE', `/Appointment?${query(resource)}`), 404, ['route-not-found'], before);
    });
  });

  it('a vendor cannot see or touch another vendor’s appointment', async () => {
    const slot = await publishVendorSlot('vendor-a');
    const booked = notification(slot);
    expect((await post(booked, 'vendor-a')).status).toBe(201);
    const appointmentId = vendorAppointmentId('vendor-a', identifierOf(booked));
    await eventually(async () => ((await (await fhir('GET', `/Appointment?${query(booked)}`, { as: 'vendor-a' })).json()) as Json).total === 1);
    const before = await head();

    // vendor-b sending vendor-a's very notification reaches only its own (unknown) slot.
    await expectRefused(await put({ ...booked, status: 'cancelled' }, 'vendor-b'), 422, ['VendorSlotIsUnknown'], before);
    await expectRefused(await post(booked, 'vendor-b'), 422, ['VendorSlotIsUnknown'], before);
    const search = (await (await fhir('GET', `/Appointment?${query(booked)}`, { as: 'vendor-b' })).json()) as Json;
    expect(search).toMatchObject({ resourceType: 'Bundle', total: 0 });
    await expectRefused(await fhir('GET', `/Appointment/${appointmentId}`, { as: 'vendor-b' }), 404, ['AppointmentDoesNotExist'], before);
    expect(await streamTypes(slot)).toEqual(['SlotPublished', 'SlotBooked', 'VendorAppointmentRecorded']);

    // The same FHIR Slot id at vendor-b is another slot: its booking is vendor-b's own.
    const slotB = await publishVendorSlot('vendor-b', slot.fhirSlotId);
    expect(slotB.slotId).not.toBe(slot.slotId);
    const atB = await post(notification(slotB, { identifier: booked.identifier }), 'vendor-b');
    expect(atB.status, await atB.clone().text()).toBe(201);
    expect(((await atB.json()) as Json).id).not.toBe(appointmentId);
    expect(await streamTypes(slot)).toEqual(['SlotPublished', 'SlotBooked', 'VendorAppointmentRecorded']);
  });

  it('documents the FHIR interactions in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as Json;
    expect(Object.keys(doc.paths['/fhir/Appointment']).sort()).toEqual(['get', 'post', 'put']);
    expect(doc.paths['/fhir/Appointment/{appointmentId}'].get['x-policy']).toMatch(/vendor/);
  });

  it('only booking vendors: anonymous, a wrong secret, an LRM client and a person’s session are refused with an OperationOutcome', async () => {
    const slot = await publishVendorSlot();
    const resource = notification(slot);
    const before = await head();
    await expectRefused(await fhir('POST', '/Appointment', { body: resource, authorization: null }), 401, ['AuthenticationRequired'], before);
    await expectRefused(await fhir('POST', '/Appointment', { body: resource, authorization: `Basic ${Buffer.from('vendor-a:not-the-secret').toString('base64')}` }), 401, ['ClientAuthenticationFailed'], before);
    await expectRefused(await fhir('POST', '/Appointment', { body: resource, as: 'lrm-x' }), 403, ['Forbidden'], before);
    await expectRefused(await fhir('GET', `/Appointment?${query(resource)}`, { as: 'lrm-x' }), 403, ['Forbidden'], before);
    // A regulator's browser session (with its CSRF token) is a person, not a vendor.
    const cookie = `sas_session=${regulator.browser.cookies.get('sas_session')}`;
    const asPerson = await fetch(`${t.url}/fhir/Appointment`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': regulator.csrfToken, 'content-type': 'application/fhir+json' },
      body: JSON.stringify(resource),
    });
    await expectRefused(asPerson, 403, ['Forbidden'], before);
    await expectRefused(await fetch(`${t.url}/fhir/Appointment?${query(resource)}`, { headers: { cookie } }), 403, ['Forbidden'], before);
    expect(await streamTypes(slot)).toEqual(['SlotPublished']);
  });
});
