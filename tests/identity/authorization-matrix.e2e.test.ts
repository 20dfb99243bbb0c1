/**
 * The authorisation matrix: every route × every role × in / out of its territory (or its own / another
 * effecteur's agenda), against the real HTTP server with real sessions. The expectations below are written
 * independently of the policies in the code: any unexpected allow (or deny) fails, and so does a route that
 * exists without a row here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/shared-kernel/auth/principal.ts';
import { accountStreamName, clientStreamName } from '../../src/modules/identity/contracts/identity.events.ts';
import { hashSecret, newClientSecret } from '../../src/modules/identity/infrastructure/client-secrets.ts';
import { claimNationalId } from '../../src/modules/identity/application/accounts.service.ts';
import { IDENTITY } from '../../src/modules/identity/identity.tokens.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';
import { addParisDays, parisLocalDate } from '../../src/shared-kernel/time/paris-time.ts';
import { Browser, session as sessionOf, type LoggedIn } from '../support/http-browser.ts';

const OWN_EFFECTEUR = '10000000009';
const OTHER_EFFECTEUR = '10000000017';
const HOME = '31';
const ELSEWHERE = '75';

type Who = { readonly label: string; readonly role: Role | 'anonymous' | 'first-login' | 'machine'; readonly inside: boolean };
const WHO: readonly Who[] = [
  { label: 'anonymous', role: 'anonymous', inside: false },
  { label: 'first login, not linked', role: 'first-login', inside: false },
  { label: 'machine client (vendor)', role: 'machine', inside: false },
  ...ROLES.flatMap((role) => [
    { label: `${role} in territory`, role, inside: true },
    { label: `${role} out of territory`, role, inside: false },
  ]),
];

const is = (who: Who, ...roles: (Role | 'anonymous' | 'first-login' | 'machine')[]) => roles.includes(who.role as Role);

/** Expected decision per route, from the product's rules (issue #3), not from the code. */
const EXPECTED: Record<string, (who: Who) => boolean> = {
  'GET /api/me': (w) => w.role !== 'anonymous' && w.role !== 'machine',
  'POST /api/identity/clients': (w) => is(w, 'admin-national'),
  'POST /api/identity/clients/:clientId/rotate-secret': (w) => is(w, 'admin-national'),
  'POST /api/identity/clients/:clientId/revoke': (w) => is(w, 'admin-national'),
  'GET /api/identity/clients/me': (w) => is(w, 'machine'),
  'POST /api/identity/link': (w) => is(w, 'first-login'),
  'GET /api/identity/accounts': (w) => is(w, 'admin-national', 'auditeur') || (is(w, 'gestionnaire-comptes', 'referent-territorial') && w.inside),
  'POST /api/identity/accounts': (w) => is(w, 'admin-national') || (is(w, 'gestionnaire-comptes') && w.inside),
  'POST /api/identity/accounts/:accountId/deactivate': (w) => is(w, 'admin-national') || (is(w, 'gestionnaire-comptes') && w.inside),
  'POST /api/availability/slots': (w) => is(w, 'effecteur', 'delegataire') && w.inside,
  'DELETE /api/availability/slots/:slotId': (w) => is(w, 'effecteur', 'delegataire') && w.inside,
  'GET /api/directory/communes': (w) => !is(w, 'anonymous', 'first-login', 'machine'),
  'GET /api/directory/filieres': (w) => !is(w, 'anonymous', 'first-login', 'machine'),
  'GET /api/search': (w) => is(w, 'regulateur-osnp', 'ioa', 'referent-territorial', 'admin-national', 'auditeur'),
  'GET /api/availability/slots': (w) => is(w, 'regulateur-osnp', 'ioa', 'referent-territorial', 'admin-national', 'auditeur') || (is(w, 'effecteur', 'delegataire') && w.inside),
  'GET /api/availability/slots/:slotId': (w) => is(w, 'regulateur-osnp', 'ioa', 'referent-territorial', 'admin-national', 'auditeur') || (is(w, 'effecteur', 'delegataire') && w.inside),
  'POST /api/directory/structures': (w) => is(w, 'admin-national') || (is(w, 'gestionnaire-structure') && w.inside),
  'GET /api/directory/structures': (w) => !is(w, 'anonymous', 'first-login', 'machine'),
  'GET /api/directory/structures/:structureId': (w) => !is(w, 'anonymous', 'first-login', 'machine'),
  'PATCH /api/directory/structures/:structureId': (w) => is(w, 'admin-national') || (is(w, 'gestionnaire-structure') && w.inside),
  // "inside": the gestionnaire of the structure (it created it); "outside": a gestionnaire of another territory.
  'POST /api/directory/structures/:structureId/members': (w) => is(w, 'admin-national') || (is(w, 'gestionnaire-structure') && w.inside),
  'DELETE /api/directory/structures/:structureId/members/:rpps': (w) => is(w, 'admin-national') || (is(w, 'gestionnaire-structure') && w.inside),
  'POST /api/directory/structures/:structureId/managers': (w) => is(w, 'admin-national'),
  'GET /sas/recherche': (w) => is(w, 'regulateur-osnp', 'ioa', 'referent-territorial', 'admin-national', 'auditeur'),
  // Booking a slot for a patient, and cancelling it: regulation, whatever its territory (a patient may be oriented anywhere).
  'POST /api/slots/:slotId/bookings': (w) => is(w, 'regulateur-osnp', 'ioa'),
  'DELETE /api/slots/:slotId/bookings/:bookingId': (w) => is(w, 'regulateur-osnp', 'ioa'),
  // Booking a vendor slot at its vendor (end-to-end redirect): regulation too.
  'GET /api/slots/:slotId/vendor-booking': (w) => is(w, 'regulateur-osnp', 'ioa'),
  // The manual agenda: "inside" = its own effecteur, its délégataire, the gestionnaire of a structure it is a member of.
  // The FHIR endpoint where booking vendors report appointments: vendor machine clients only (each sees only its own).
  ...Object.fromEntries(
    ['POST /fhir/Appointment', 'PUT /fhir/Appointment', 'GET /fhir/Appointment', 'GET /fhir/Appointment/:appointmentId'].map((route) => [route, (w: Who) => is(w, 'machine')]),
  ),
  'GET /api/agendas/:rpps': (w) => is(w, 'regulateur-osnp', 'ioa', 'referent-territorial', 'admin-national', 'auditeur') || (is(w, 'effecteur', 'delegataire', 'gestionnaire-structure') && w.inside),
  ...Object.fromEntries(
    [
      'POST /api/agendas/:rpps/availabilities',
      'PATCH /api/agendas/:rpps/occurrences/:occurrenceId',
      'DELETE /api/agendas/:rpps/occurrences/:occurrenceId',
      'PATCH /api/agendas/:rpps/series/:seriesId',
      'DELETE /api/agendas/:rpps/series/:seriesId',
      'POST /api/agendas/:rpps/unavailabilities',
      'DELETE /api/agendas/:rpps/unavailabilities/:periodId',
      'PUT /api/agendas/:rpps/unavailabilities/indefinite',
    ].map((route) => [route, (w: Who) => is(w, 'effecteur', 'delegataire', 'gestionnaire-structure') && w.inside]),
  ),
  // Vendor aggregation: the registry's status for the national administrator; the display of an effecteur's vendor
  // slots is its own choice (or its délégataire's), not a structure manager's.
  'GET /api/vendors': (w) => is(w, 'admin-national'),
  // A regulator account's push to the end-to-end vendors (INT_R02): as the account management of its territory.
  'GET /api/vendors/regulator-push': (w) => is(w, 'admin-national', 'auditeur') || (is(w, 'gestionnaire-comptes', 'referent-territorial') && w.inside),
  'POST /api/vendors/regulator-push/:accountId/retry': (w) => is(w, 'admin-national') || (is(w, 'gestionnaire-comptes') && w.inside),
  'PUT /api/agendas/:rpps/vendor-display': (w) => is(w, 'effecteur', 'delegataire') && w.inside,
};

/** Browser pages: an anonymous visitor is sent to the login (then back) instead of receiving a 401. */
const PAGE_ROUTES = ['GET /sas/recherche'];

const ANONYMOUS_ROUTES = ['GET /api/openapi.json', 'GET /auth/login', 'GET /auth/callback', 'POST /auth/logout', 'GET /auth/logged-out'];

describe.skipIf(!testDatabaseUrl)('authorisation matrix', () => {
  let t: TestPlatform;
  const sessions = new Map<string, LoggedIn | null>();
  let admin: LoggedIn;
  let counter = 0;

  /** A real account with one role, and a real server-side session for it (as a PSC login would open). */
  async function principal(who: Who, index: number): Promise<LoggedIn | null> {
    if (who.role === 'anonymous') return null;
    if (who.role === 'machine') return machine();
    const deps = t.platform.containers.get('identity')!.get(IDENTITY.deps);
    const nationalId = `8${String(20000000000 + index)}`;
    let accountId: string | null = null;
    if (who.role !== 'first-login') {
      accountId = deps.newId();
      const ctx = { actor: { accountId: 'test', role: 'test' }, correlationId: deps.newId(), now: deps.clock() };
      await claimNationalId(deps, nationalId, accountId, ctx);
      const national = ['admin-national', 'auditeur', 'effecteur', 'delegataire'].includes(who.role);
      await deps.accounts.handle(
        accountStreamName(accountId),
        {
          type: 'CreateAccount',
          accountId,
          origin: 'regulation',
          givenName: 'Test',
          familyName: who.label,
          email: `matrix-${index}@test.invalid`,
          nationalId,
          grants: [
            {
              role: who.role,
              territories: national ? [] : [who.inside ? HOME : ELSEWHERE],
              effecteurIds: is(who, 'effecteur', 'delegataire') ? [who.inside ? OWN_EFFECTEUR : OTHER_EFFECTEUR] : [],
            },
          ],
        },
        ctx,
      );
    }
    const { token } = await deps.sessions.create({ nationalId, accountId, givenName: 'Test', familyName: who.label, email: null, professionCodes: [], idToken: 'unused-in-this-test' });
    const browser = new Browser();
    browser.cookies.set('sas_session', token);
    return sessionOf(t.url, browser);
  }

  /** A registered vendor calling with its secret (HTTP Basic). */
  async function machine(): Promise<LoggedIn> {
    const deps = t.platform.containers.get('identity')!.get(IDENTITY.deps);
    const secret = newClientSecret();
    const ctx = { actor: { accountId: 'test', role: 'test' }, correlationId: deps.newId(), now: deps.clock() };
    await deps.clients.handle(clientStreamName('matrix-vendor'), { type: 'RegisterClient', clientId: 'matrix-vendor', kind: 'vendor', name: 'Matrix', secretHash: await hashSecret(secret) }, ctx);
    const authorization = `Basic ${Buffer.from(`matrix-vendor:${secret}`).toString('base64')}`;
    const api: LoggedIn['api'] = (path, init = {}) =>
      fetch(`${t.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization, ...(init.json !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(init.json !== undefined ? { body: JSON.stringify(init.json) } : {}),
      });
    return { browser: new Browser(), csrfToken: '', me: { accountId: null, status: 'machine', roles: [], nationalId: '' }, api };
  }

  async function freshClient(): Promise<string> {
    const clientId = `client-${counter++}`;
    const response = await admin.api('/api/identity/clients', { method: 'POST', json: { clientId, kind: 'lrm', name: 'LRM' } });
    expect(response.status).toBe(201);
    return clientId;
  }

  async function freshSlot(): Promise<string> {
    const owner = sessions.get(`effecteur in territory`)!;
    const start = Date.now() + (2 + counter++) * 3_600_000;
    const response = await owner.api('/api/availability/slots', { method: 'POST', json: { effecteurId: OWN_EFFECTEUR, start: new Date(start).toISOString(), end: new Date(start + 1_200_000).toISOString() } });
    expect(response.status).toBe(201);
    return ((await response.json()) as { slotId: string }).slotId;
  }

  /** A structure created by the gestionnaire de structure of HOME, who thereby manages it. */
  async function freshStructure(): Promise<string> {
    const owner = sessions.get('gestionnaire-structure in territory')!;
    const response = await owner.api('/api/directory/structures', { method: 'POST', json: { kind: 'sos-medecins', name: `SOS Médecins ${counter++}`, inseeCode: '31555' } });
    expect(response.status).toBe(201);
    return ((await response.json()) as { structureId: string }).structureId;
  }

  /** A slot of OWN_EFFECTEUR booked by the regulator of HOME: its path and booking id. */
  async function freshBooking(): Promise<string> {
    const slotId = await freshSlot();
    const response = await sessions.get('regulateur-osnp in territory')!.api(`/api/slots/${slotId}/bookings`, { method: 'POST', json: {} });
    expect(response.status).toBe(201);
    return `/api/slots/${slotId}/bookings/${((await response.json()) as { bookingId: string }).bookingId}`;
  }

  /** A Paris date `n` days ahead; agenda requests use dates far from the slots booked above. */
  const inDays = (n: number) => parisLocalDate(addParisDays(new Date(), n));
  /** A free time in OWN_EFFECTEUR's agenda (no overlap), as an availability body. */
  const freeAvailability = () => {
    const n = counter++;
    return { kind: 'slot', date: inDays(40 + (n % 200)), startTime: `${String(6 + Math.floor(n / 200)).padStart(2, '0')}:00`, endTime: `${String(6 + Math.floor(n / 200)).padStart(2, '0')}:20`, consultationTypes: ['cabinet'] };
  };
  /** Creates, as the effecteur, a one-off (or a weekly series) in its agenda; answers its id, URL-encoded. */
  async function freshAvailability(weekly = false): Promise<string> {
    const body = freeAvailability();
    const response = await sessions.get('effecteur in territory')!.api(`/api/agendas/${OWN_EFFECTEUR}/availabilities`, {
      method: 'POST',
      json: weekly ? { ...body, recurrence: { weekdays: ['MO'], until: body.date } } : body,
    });
    expect(response.status).toBe(201);
    return encodeURIComponent(((await response.json()) as { availabilityId: string }).availabilityId);
  }
  /** A dated unavailability of OWN_EFFECTEUR far ahead (same id and dates each time: at most one exists). */
  async function freshUnavailability(): Promise<string> {
    const response = await sessions.get('effecteur in territory')!.api(`/api/agendas/${OWN_EFFECTEUR}/unavailabilities`, { method: 'POST', json: { periodId: 'matrix-delete', fromDate: inDays(340), toDate: inDays(340) } });
    expect([200, 201]).toContain(response.status);
    return 'matrix-delete';
  }
  /** Makes the gestionnaire de structure of HOME manage OWN_EFFECTEUR's agenda (a member of its structure), once. */
  let agendaManaged: Promise<void> | undefined;
  const manageOwnAgenda = () =>
    (agendaManaged ??= (async () => {
      const manager = sessions.get('gestionnaire-structure in territory')!;
      const structureId = await freshStructure();
      expect((await manager.api(`/api/directory/structures/${structureId}/members`, { method: 'POST', json: { rpps: OWN_EFFECTEUR } })).status).toBe(201);
      await eventually(async () => (await manager.api(`/api/agendas/${OWN_EFFECTEUR}`)).status === 200);
    })());

  async function freshRegulatorAccount(): Promise<string> {
    const response = await admin.api('/api/identity/accounts', { method: 'POST', json: { givenName: 'Cible', familyName: `N${counter++}`, email: `cible-${counter}@test.invalid`, role: 'regulateur-osnp', territory: HOME } });
    expect(response.status).toBe(201);
    return ((await response.json()) as { accountId: string }).accountId;
  }

  /** A fresh regulator account of HOME, once the regulator push (availability) knows it. */
  async function knownToVendorPush(): Promise<string> {
    const accountId = await freshRegulatorAccount();
    await eventually(async () => (await admin.api(`/api/vendors/regulator-push?accountId=${accountId}`)).status === 200);
    return accountId;
  }

  /** An FrAppointmentSAS as a vendor reports it (data/reference/fhir-examples/appointment-booked.json). */
  const fhirAppointment = (identifierValue: string) => {
    const idnps = (value: string) => ({ type: { coding: [{ system: 'http://interopsante.org/fhir/CodeSystem/fr-v2-0203', code: 'IDNPS' }] }, system: 'urn:oid:1.2.250.1.71.4.2.1', value });
    const start = Date.now() + 48 * 3_600_000;
    return {
      resourceType: 'Appointment',
      meta: { profile: ['http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS'] },
      extension: [{ url: 'http://interopsante.org/fhir/StructureDefinition/FrAppointmentOperator', valueReference: { identifier: idnps('810991900019') } }],
      identifier: [{ system: 'urn:oid:1.2.250.1.999.1.1', value: identifierValue }],
      status: 'booked',
      start: new Date(start).toISOString(),
      end: new Date(start + 1_200_000).toISOString(),
      slot: [{ reference: 'Slot/matrix-never-published' }],
      participant: [{ actor: { identifier: idnps(`8${OWN_EFFECTEUR}`) }, status: 'accepted' }],
    };
  };

  /** One concrete, valid request per route. */
  const REQUESTS: Record<string, () => Promise<{ method: string; path: string; json?: unknown }>> = {
    'GET /api/me': async () => ({ method: 'GET', path: '/api/me' }),
    'POST /api/identity/link': async () => ({ method: 'POST', path: '/api/identity/link', json: { givenName: 'A', familyName: 'B', email: 'nobody@test.invalid' } }),
    'POST /api/identity/clients': async () => ({ method: 'POST', path: '/api/identity/clients', json: { clientId: `new-client-${counter++}`, kind: 'vendor', name: 'Éditeur' } }),
    'POST /api/identity/clients/:clientId/rotate-secret': async () => ({ method: 'POST', path: `/api/identity/clients/${await freshClient()}/rotate-secret` }),
    'POST /api/identity/clients/:clientId/revoke': async () => ({ method: 'POST', path: `/api/identity/clients/${await freshClient()}/revoke` }),
    'GET /api/identity/clients/me': async () => ({ method: 'GET', path: '/api/identity/clients/me' }),
    'GET /api/identity/accounts': async () => ({ method: 'GET', path: `/api/identity/accounts?territory=${HOME}` }),
    'POST /api/identity/accounts': async () => ({
      method: 'POST',
      path: '/api/identity/accounts',
      json: { givenName: 'Nouveau', familyName: `R${counter++}`, email: `new-${counter}@test.invalid`, role: 'ioa', territory: HOME },
    }),
    'POST /api/identity/accounts/:accountId/deactivate': async () => ({ method: 'POST', path: `/api/identity/accounts/${await freshRegulatorAccount()}/deactivate` }),
    'POST /api/availability/slots': async () => {
      const start = Date.now() + (2 + counter++) * 3_600_000;
      return { method: 'POST', path: '/api/availability/slots', json: { effecteurId: OWN_EFFECTEUR, start: new Date(start).toISOString(), end: new Date(start + 1_200_000).toISOString() } };
    },
    'DELETE /api/availability/slots/:slotId': async () => ({ method: 'DELETE', path: `/api/availability/slots/${await freshSlot()}` }),
    'GET /api/directory/communes': async () => ({ method: 'GET', path: '/api/directory/communes?q=toulouse' }),
    'GET /api/directory/filieres': async () => ({ method: 'GET', path: '/api/directory/filieres' }),
    'GET /api/search': async () => ({ method: 'GET', path: '/api/search?departement=31' }),
    'GET /api/availability/slots': async () => ({ method: 'GET', path: `/api/availability/slots?effecteurId=${OWN_EFFECTEUR}` }),
    'GET /api/availability/slots/:slotId': async () => ({ method: 'GET', path: `/api/availability/slots/${await freshSlot()}` }),
    'POST /api/directory/structures': async () => ({ method: 'POST', path: '/api/directory/structures', json: { kind: 'sos-medecins', name: `SOS Médecins ${counter++}`, inseeCode: '31555' } }),
    'GET /api/directory/structures': async () => ({ method: 'GET', path: `/api/directory/structures?departement=${HOME}` }),
    'GET /api/directory/structures/:structureId': async () => ({ method: 'GET', path: `/api/directory/structures/${await freshStructure()}` }),
    'PATCH /api/directory/structures/:structureId': async () => ({ method: 'PATCH', path: `/api/directory/structures/${await freshStructure()}`, json: { phone: '05 61 00 00 00' } }),
    'POST /api/directory/structures/:structureId/members': async () => ({ method: 'POST', path: `/api/directory/structures/${await freshStructure()}/members`, json: { rpps: OWN_EFFECTEUR } }),
    'DELETE /api/directory/structures/:structureId/members/:rpps': async () => ({ method: 'DELETE', path: `/api/directory/structures/${await freshStructure()}/members/${OWN_EFFECTEUR}` }),
    'POST /api/directory/structures/:structureId/managers': async () => ({ method: 'POST', path: `/api/directory/structures/${await freshStructure()}/managers`, json: { accountId: crypto.randomUUID() } }),
    'GET /sas/recherche': async () => ({ method: 'GET', path: '/sas/recherche?origin=TEST-SAMU000&inseecode=31555&specialty=urn:oid:1.2.250.1.213.2.28%7CSM54' }),
    'POST /api/slots/:slotId/bookings': async () => ({ method: 'POST', path: `/api/slots/${await freshSlot()}/bookings`, json: {} }),
    'DELETE /api/slots/:slotId/bookings/:bookingId': async () => ({ method: 'DELETE', path: await freshBooking() }),
    // A manual slot: regulation gets its 409 (book it on the platform), everyone else 401/403.
    'GET /api/slots/:slotId/vendor-booking': async () => ({ method: 'GET', path: `/api/slots/${await freshSlot()}/vendor-booking` }),
    // A well-formed notification for a slot the vendor never published: the vendor gets its 422, everyone else 401/403.
    'GET /api/vendors': async () => ({ method: 'GET', path: '/api/vendors' }),
    'GET /api/vendors/regulator-push': async () => ({ method: 'GET', path: `/api/vendors/regulator-push?accountId=${await knownToVendorPush()}` }),
    'POST /api/vendors/regulator-push/:accountId/retry': async () => ({ method: 'POST', path: `/api/vendors/regulator-push/${await knownToVendorPush()}/retry`, json: {} }),
    // accepting (the default) only: refusing would withdraw vendor slots other rows might use
    'PUT /api/agendas/:rpps/vendor-display': async () => ({ method: 'PUT', path: `/api/agendas/${OWN_EFFECTEUR}/vendor-display`, json: { displayed: true } }),
    'POST /fhir/Appointment': async () => ({ method: 'POST', path: '/fhir/Appointment', json: fhirAppointment(`matrix-${counter++}`) }),
    'PUT /fhir/Appointment': async () => {
      const value = `matrix-${counter++}`;
      return { method: 'PUT', path: `/fhir/Appointment?identifier=${encodeURIComponent(`urn:oid:1.2.250.1.999.1.1|${value}`)}`, json: fhirAppointment(value) };
    },
    'GET /fhir/Appointment': async () => ({ method: 'GET', path: `/fhir/Appointment?identifier=${encodeURIComponent('urn:oid:1.2.250.1.999.1.1|matrix')}` }),
    'GET /fhir/Appointment/:appointmentId': async () => ({ method: 'GET', path: `/fhir/Appointment/${crypto.randomUUID()}` }),
    'GET /api/agendas/:rpps': async () => (await manageOwnAgenda(), { method: 'GET', path: `/api/agendas/${OWN_EFFECTEUR}?from=${inDays(40)}` }),
    'POST /api/agendas/:rpps/availabilities': async () => (await manageOwnAgenda(), { method: 'POST', path: `/api/agendas/${OWN_EFFECTEUR}/availabilities`, json: freeAvailability() }),
    'PATCH /api/agendas/:rpps/occurrences/:occurrenceId': async () => (await manageOwnAgenda(), { method: 'PATCH', path: `/api/agendas/${OWN_EFFECTEUR}/occurrences/${await freshAvailability()}`, json: { consultationTypes: ['domicile'] } }),
    'DELETE /api/agendas/:rpps/occurrences/:occurrenceId': async () => (await manageOwnAgenda(), { method: 'DELETE', path: `/api/agendas/${OWN_EFFECTEUR}/occurrences/${await freshAvailability()}` }),
    'PATCH /api/agendas/:rpps/series/:seriesId': async () => (await manageOwnAgenda(), { method: 'PATCH', path: `/api/agendas/${OWN_EFFECTEUR}/series/${await freshAvailability(true)}`, json: { consultationTypes: ['domicile'] } }),
    'DELETE /api/agendas/:rpps/series/:seriesId': async () => (await manageOwnAgenda(), { method: 'DELETE', path: `/api/agendas/${OWN_EFFECTEUR}/series/${await freshAvailability(true)}` }),
    'POST /api/agendas/:rpps/unavailabilities': async () => (await manageOwnAgenda(), { method: 'POST', path: `/api/agendas/${OWN_EFFECTEUR}/unavailabilities`, json: { periodId: 'matrix-post', fromDate: inDays(350), toDate: inDays(350) } }),
    'DELETE /api/agendas/:rpps/unavailabilities/:periodId': async () => (await manageOwnAgenda(), { method: 'DELETE', path: `/api/agendas/${OWN_EFFECTEUR}/unavailabilities/${await freshUnavailability()}` }),
    // switching it off only: the indefinite switch on would hide the slots the booking rows book
    'PUT /api/agendas/:rpps/unavailabilities/indefinite': async () => (await manageOwnAgenda(), { method: 'PUT', path: `/api/agendas/${OWN_EFFECTEUR}/unavailabilities/indefinite`, json: { on: false } }),
  };

  beforeAll(async () => {
    t = await startTestPlatform();
    for (const [i, who] of WHO.entries()) sessions.set(who.label, await principal(who, i));
    admin = sessions.get('admin-national in territory')!;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('has an expectation for every route, and only login routes are open to anonymous callers', () => {
    const routes = t.platform.routes.routes.map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect([...routes].sort()).toEqual([...Object.keys(EXPECTED), ...ANONYMOUS_ROUTES].sort());
    const open = t.platform.routes.routes.filter((r) => r.policy === 'ouvert à tous').map((r) => `${r.method.toUpperCase()} ${r.path}`);
    expect(open.sort()).toEqual([...ANONYMOUS_ROUTES].sort());
  });

  for (const route of Object.keys(EXPECTED)) {
    it(`${route}: allowed exactly for the expected roles`, async () => {
      const unexpected: string[] = [];
      for (const who of WHO) {
        const request = await REQUESTS[route]!();
        const caller = sessions.get(who.label) ?? null;
        const response = caller
          ? await caller.api(request.path, { method: request.method, ...(request.json !== undefined ? { json: request.json } : {}) })
          : await fetch(`${t.url}${request.path}`, { method: request.method, headers: { 'content-type': 'application/json' }, redirect: 'manual', ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}) });
        const toLogin = response.status >= 300 && response.status < 400 && (response.headers.get('location') ?? '').startsWith('/auth/login?');
        const denied = response.status === 401 || response.status === 403 || toLogin;
        const allowed = !denied && response.status < 500;
        const expected = EXPECTED[route]!(who);
        if (response.status >= 500 || allowed !== expected) unexpected.push(`${who.label}: ${response.status} (expected ${expected ? 'allow' : 'deny'}) ${await response.text()}`);
        if (who.role === 'anonymous') expect(PAGE_ROUTES.includes(route) ? toLogin : response.status === 401, `anonymous: ${response.status}`).toBe(true);
      }
      expect(unexpected).toEqual([]);
    });
  }
});
