import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { AVAILABILITY } from '../../src/modules/availability/availability.tokens.ts';
import { DIRECTORY_STRUCTURES } from '../../src/modules/directory/structures.tokens.ts';
import { structureStreamName } from '../../src/modules/directory/contracts/directory.events.ts';
import { handleAgendaCommand } from '../../src/modules/availability/application/agenda/agenda.handler.ts';
import { addParisDays, parisLocalDate } from '../../src/shared-kernel/time/paris-time.ts';
import { weekdayOf } from '../../src/modules/availability/domain/agenda.calendar.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const RPPS = '10000000009'; // Dr Claire Dubois, the demo effecteur
const OTHER = '10000000017';
/** A Paris civil date `n` days from today. */
const day = (n: number) => parisLocalDate(addParisDays(new Date(), n));

type OccurrenceView = {
  occurrenceId: string;
  slotId: string;
  seriesId: string | null;
  kind: string;
  date: string;
  startTime: string;
  endTime: string;
  start: string;
  end: string;
  capacity: number;
  remainingPlaces: number;
  booked: boolean;
  consultationTypes: string[];
  hiddenByUnavailability: boolean;
};
type WeekView = {
  effecteurId: string;
  from: string;
  to: string;
  occurrences: OccurrenceView[];
  series: { seriesId: string; weekdays: string[]; until: string }[];
  unavailabilities: { periodId: string; fromDate: string; toDate: string }[];
  indefinitelyUnavailable: boolean;
};

describe.skipIf(!testDatabaseUrl)('the manual agenda over HTTP', () => {
  let t: TestPlatform;
  let effecteur: LoggedIn;
  let delegataire: LoggedIn;
  let regulator: LoggedIn;
  let manager: LoggedIn;
  const head = () => t.platform.eventStore.headPosition();
  const agenda = (path = '') => `/api/agendas/${RPPS}${path}`;
  const week = async (from: string, days = 7, who = effecteur): Promise<WeekView> => {
    const response = await who.api(agenda(`?from=${from}&days=${days}`));
    expect(response.status).toBe(200);
    return (await response.json()) as WeekView;
  };
  const create = (json: unknown, who = effecteur) => who.api(agenda('/availabilities'), { method: 'POST', json });
  /** The slot ids of the effecteur's free-slots list (the projection), as a regulator sees it. */
  const freeSlotIds = async (): Promise<Set<string>> => {
    const response = await regulator.api(`/api/availability/slots?effecteurId=${RPPS}&limit=500`);
    expect(response.status).toBe(200);
    return new Set(((await response.json()) as { items: { slotId: string }[] }).items.map((s) => s.slotId));
  };
  const listed = (slotId: string) => async () => (await freeSlotIds()).has(slotId);
  const notListed = (slotId: string) => async () => !(await freeSlotIds()).has(slotId);
  const deps = () => t.platform.containers.get('availability')!.get(AVAILABILITY.deps);
  const asOsnp = () => ({ actor: { accountId: 'test-osnp', role: 'regulateur-osnp' }, correlationId: crypto.randomUUID(), now: new Date() });

  beforeAll(async () => {
    t = await startTestPlatform({ env: { DEMO_DATA: 'true' } });
    effecteur = await loginAs(t.url, demoIdentityByRole('effecteur').nationalId);
    delegataire = await loginAs(t.url, demoIdentityByRole('delegataire').nationalId);
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
    manager = await loginAs(t.url, demoIdentityByRole('gestionnaire-structure').nationalId);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('creates a slot and a weekly series, shown in the week view and in the free-slots list; one append carries the public events', async () => {
    const d = day(3);
    const slot = await create({ availabilityId: 'slot-a', kind: 'slot', date: d, startTime: '09:00', endTime: '09:20', consultationTypes: ['cabinet', 'teleconsultation'] });
    expect(slot.status).toBe(201);
    expect(slot.headers.get('location')).toBe(agenda('/occurrences/slot-a'));
    const slotBody = (await slot.json()) as { occurrences: OccurrenceView[] };
    expect(slotBody.occurrences).toEqual([expect.objectContaining({ occurrenceId: 'slot-a', kind: 'slot', date: d, startTime: '09:00', endTime: '09:20', capacity: 1, remainingPlaces: 1, booked: false })]);

    const series = await create({ availabilityId: 'weekly-a', kind: 'range', patients: 4, date: d, startTime: '14:00', endTime: '16:00', consultationTypes: ['cabinet'], recurrence: { weekdays: [weekdayOf(d)], until: day(17) } });
    expect(series.status).toBe(201);
    expect(series.headers.get('location')).toBe(agenda('/series/weekly-a'));
    const seriesBody = (await series.json()) as { occurrences: OccurrenceView[]; series: { weekdays: string[]; until: string } };
    expect(seriesBody.occurrences.map((o) => o.date)).toEqual([d, day(10), day(17)]);
    expect(seriesBody.series).toMatchObject({ weekdays: [weekdayOf(d)], until: day(17) });

    const view = await week(d);
    expect(view).toMatchObject({ effecteurId: RPPS, from: d, to: day(10), indefinitelyUnavailable: false });
    expect(view.occurrences.map((o) => o.occurrenceId)).toEqual(['slot-a', `weekly-a/0/${d}`]);
    expect(view.occurrences[1]).toMatchObject({ seriesId: 'weekly-a', kind: 'range', capacity: 4, remainingPlaces: 4, booked: false, hiddenByUnavailability: false });
    expect(view.series).toEqual([expect.objectContaining({ seriesId: 'weekly-a', weekdays: [weekdayOf(d)], until: day(17) })]);
    expect((await week(d, 15)).occurrences).toHaveLength(4);
    // the délégataire and a regulator read the same agenda
    expect((await week(d, 15, delegataire)).occurrences).toHaveLength(4);
    expect((await week(d, 15, regulator)).occurrences).toHaveLength(4);

    for (const o of seriesBody.occurrences) await eventually(listed(o.slotId));
    await eventually(listed(slotBody.occurrences[0]!.slotId));

    // the series' decision and its three SlotPublished went in one append: same correlation id, consecutive revisions
    const stream = await t.platform.eventStore.readStream(`availability.agenda-${RPPS}`);
    const created = stream.find((e) => e.type === 'AgendaSeriesCreated')!;
    const sameAppend = stream.filter((e) => e.metadata.correlationId === created.metadata.correlationId);
    expect(sameAppend.map((e) => e.type)).toEqual(['AgendaSeriesCreated', 'SlotPublished', 'SlotPublished', 'SlotPublished']);
    expect(sameAppend.map((e) => e.streamRevision)).toEqual([0, 1, 2, 3].map((i) => created.streamRevision + i));
  });

  it('edits one occurrence of the series (its id URL-encoded): the week view and the free-slots list follow, same slot id', async () => {
    const occurrenceId = `weekly-a/0/${day(10)}`;
    const response = await effecteur.api(agenda(`/occurrences/${encodeURIComponent(occurrenceId)}`), { method: 'PATCH', json: { startTime: '17:00', endTime: '18:00', consultationTypes: ['domicile'] } });
    expect(response.status).toBe(200);
    const edited = (await response.json()) as OccurrenceView;
    expect(edited).toMatchObject({ occurrenceId, seriesId: 'weekly-a', startTime: '17:00', endTime: '18:00', consultationTypes: ['domicile'], capacity: 4 });
    await eventually(async () => {
      const items = ((await (await regulator.api(`/api/availability/slots?effecteurId=${RPPS}&limit=500`)).json()) as { items: { slotId: string; start: string; consultationTypes: string[] }[] }).items;
      const row = items.find((s) => s.slotId === edited.slotId);
      return row?.start === edited.start && row.consultationTypes.join() === 'domicile';
    });
  });

  it('refuses an overlapping availability with 409 and appends nothing', async () => {
    const before = await head();
    const response = await create({ kind: 'slot', date: day(3), startTime: '09:10', endTime: '09:30', consultationTypes: ['cabinet'] });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(await response.json()).toMatchObject({ status: 409, code: 'AvailabilitiesCannotOverlap' });
    expect(await head()).toBe(before);
  });

  it('deletes the series: its occurrences leave the week view and the free-slots list', async () => {
    const slotIds = (await week(day(3), 15)).occurrences.filter((o) => o.seriesId === 'weekly-a').map((o) => o.slotId);
    expect(slotIds).toHaveLength(3);
    expect((await effecteur.api(agenda('/series/weekly-a'), { method: 'DELETE' })).status).toBe(204);
    const view = await week(day(3), 15);
    expect(view.occurrences.map((o) => o.occurrenceId)).toEqual(['slot-a']);
    expect(view.series).toEqual([]);
    for (const slotId of slotIds) await eventually(notListed(slotId));
    // deleting it again: it no longer exists
    const again = await effecteur.api(agenda('/series/weekly-a'), { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({ code: 'SeriesDoesNotExist' });
  });

  it('an unavailability hides the covered slots from the free-slots list, and its removal shows them again', async () => {
    const created = await create({ availabilityId: 'slot-u', kind: 'slot', date: day(6), startTime: '10:00', endTime: '10:20', consultationTypes: ['cabinet'] });
    expect(created.status).toBe(201);
    const { slotId } = ((await created.json()) as { occurrences: OccurrenceView[] }).occurrences[0]!;
    await eventually(listed(slotId));

    const declared = await effecteur.api(agenda('/unavailabilities'), { method: 'POST', json: { periodId: 'conges', fromDate: day(6), toDate: day(7) } });
    expect(declared.status).toBe(201);
    expect(await declared.json()).toMatchObject({ periodId: 'conges', fromDate: day(6), toDate: day(7) });
    const view = await week(day(6));
    expect(view.unavailabilities).toEqual([expect.objectContaining({ periodId: 'conges', fromDate: day(6), toDate: day(7) })]);
    expect(view.occurrences.find((o) => o.occurrenceId === 'slot-u')).toMatchObject({ hiddenByUnavailability: true });
    await eventually(notListed(slotId));
    // a slot outside the period stays listed (nothing was withdrawn)
    expect(await freeSlotIds()).toContain((await week(day(3))).occurrences.find((o) => o.occurrenceId === 'slot-a')!.slotId);

    expect((await effecteur.api(agenda('/unavailabilities/conges'), { method: 'DELETE' })).status).toBe(204);
    expect((await week(day(6))).occurrences.find((o) => o.occurrenceId === 'slot-u')).toMatchObject({ hiddenByUnavailability: false });
    await eventually(listed(slotId));
  });

  it('the indefinite switch hides every slot of the effecteur, and switching it off shows them again', async () => {
    const slotId = (await week(day(6))).occurrences.find((o) => o.occurrenceId === 'slot-u')!.slotId;
    const on = await effecteur.api(agenda('/unavailabilities/indefinite'), { method: 'PUT', json: { on: true } });
    expect(on.status).toBe(200);
    expect(await on.json()).toMatchObject({ indefinitelyUnavailable: true });
    const view = await week(day(3), 7);
    expect(view.indefinitelyUnavailable).toBe(true);
    expect(view.occurrences.every((o) => o.hiddenByUnavailability)).toBe(true);
    // every slot of the effecteur is hidden, the single slots of the old API included
    await eventually(async () => (await freeSlotIds()).size === 0);
    // switching it on again changes nothing
    const before = await head();
    expect((await effecteur.api(agenda('/unavailabilities/indefinite'), { method: 'PUT', json: { on: true } })).status).toBe(200);
    expect(await head()).toBe(before);

    expect((await effecteur.api(agenda('/unavailabilities/indefinite'), { method: 'PUT', json: { on: false } })).status).toBe(200);
    expect((await week(day(3))).indefinitelyUnavailable).toBe(false);
    await eventually(listed(slotId));
  });

  it('a booked occurrence cannot be modified nor deleted; a booking fills the slot in the list and a cancellation frees it', async () => {
    const created = await create({ availabilityId: 'slot-b', kind: 'slot', date: day(8), startTime: '08:00', endTime: '08:15', consultationTypes: ['cabinet'] });
    expect(created.status).toBe(201);
    const { slotId } = ((await created.json()) as { occurrences: OccurrenceView[] }).occurrences[0]!;
    await eventually(listed(slotId));
    await handleAgendaCommand(deps(), { type: 'BookOccurrence', effecteurId: RPPS, occurrenceId: 'slot-b', bookingId: 'booking-1' }, asOsnp());
    expect((await week(day(8))).occurrences.find((o) => o.occurrenceId === 'slot-b')).toMatchObject({ booked: true, remainingPlaces: 0 });
    await eventually(notListed(slotId));

    const before = await head();
    const patch = await effecteur.api(agenda('/occurrences/slot-b'), { method: 'PATCH', json: { startTime: '08:30', endTime: '08:45' } });
    expect(patch.status).toBe(409);
    expect(await patch.json()).toMatchObject({ code: 'BookedAvailabilityCannotBeEdited', detail: expect.stringMatching(/déjà réservé/) });
    const del = await effecteur.api(agenda('/occurrences/slot-b'), { method: 'DELETE' });
    expect(del.status).toBe(409);
    expect(await del.json()).toMatchObject({ code: 'BookedAvailabilityCannotBeEdited' });
    expect(await head()).toBe(before);

    await handleAgendaCommand(deps(), { type: 'CancelBooking', effecteurId: RPPS, bookingId: 'booking-1' }, asOsnp());
    await eventually(listed(slotId));
    const events = (await t.platform.eventStore.readStream(`availability.agenda-${RPPS}`)).filter((e) => e.type === 'SlotBooked' || e.type === 'BookingCancelled');
    expect(events.map((e) => [e.type, (e.data as { slotId: string }).slotId, (e.data as { remainingPlaces: number }).remainingPlaces])).toEqual([
      ['SlotBooked', slotId, 0],
      ['BookingCancelled', slotId, 1],
    ]);
  });

  it('a range with places left stays in the list after a booking, with its places left', async () => {
    const created = await create({ availabilityId: 'range-b', kind: 'range', patients: 3, date: day(8), startTime: '14:00', endTime: '17:00', consultationTypes: ['cabinet'] });
    const { slotId } = ((await created.json()) as { occurrences: OccurrenceView[] }).occurrences[0]!;
    await handleAgendaCommand(deps(), { type: 'BookOccurrence', effecteurId: RPPS, occurrenceId: 'range-b', bookingId: 'booking-2' }, asOsnp());
    await eventually(async () => {
      const items = ((await (await regulator.api(`/api/availability/slots?effecteurId=${RPPS}&limit=500`)).json()) as { items: { slotId: string; remainingPlaces: number | null }[] }).items;
      return items.find((s) => s.slotId === slotId)?.remainingPlaces === 2;
    });
  });

  it('a délégataire edits the agenda; another effecteur’s agenda is refused (403); a regulator reads but does not write', async () => {
    const byDelegate = await create({ kind: 'slot', date: day(9), startTime: '12:00', endTime: '12:20', consultationTypes: ['teleconsultation'] }, delegataire);
    expect(byDelegate.status).toBe(201);
    const before = await head();
    for (const response of [
      await effecteur.api(`/api/agendas/${OTHER}`),
      await effecteur.api(`/api/agendas/${OTHER}/availabilities`, { method: 'POST', json: { kind: 'slot', date: day(9), startTime: '13:00', endTime: '13:20', consultationTypes: ['cabinet'] } }),
      await effecteur.api(`/api/agendas/${OTHER}/unavailabilities/indefinite`, { method: 'PUT', json: { on: true } }),
      await regulator.api(agenda('/availabilities'), { method: 'POST', json: { kind: 'slot', date: day(9), startTime: '13:00', endTime: '13:20', consultationTypes: ['cabinet'] } }),
      await manager.api(agenda()),
    ]) {
      expect(response.status).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect(await head()).toBe(before);
    expect((await regulator.api(agenda())).status).toBe(200);
  });

  it('a gestionnaire de structure manages the agendas of the structure’s members, and only while they are members', async () => {
    const structure = await manager.api('/api/directory/structures', { method: 'POST', json: { kind: 'sos-medecins', name: 'SOS Médecins Agenda', inseeCode: '31555' } });
    expect(structure.status).toBe(201);
    const { structureId } = (await structure.json()) as { structureId: string };
    expect((await manager.api(agenda())).status).toBe(403);
    expect((await manager.api(`/api/directory/structures/${structureId}/members`, { method: 'POST', json: { rpps: RPPS } })).status).toBe(201);
    await eventually(async () => (await manager.api(agenda())).status === 200);
    const created = await create({ kind: 'slot', date: day(9), startTime: '15:00', endTime: '15:20', consultationTypes: ['cabinet'] }, manager);
    expect(created.status).toBe(201);
    // the actor is recorded: the agenda shows who entered it
    const stream = await t.platform.eventStore.readStream(`availability.agenda-${RPPS}`);
    expect(stream.at(-2)).toMatchObject({ type: 'AgendaSlotCreated', data: { by: { role: expect.stringContaining('gestionnaire-structure') } } });
    expect((await manager.api(`/api/agendas/${OTHER}`)).status).toBe(403);

    expect((await manager.api(`/api/directory/structures/${structureId}/members/${RPPS}`, { method: 'DELETE' })).status).toBe(204);
    await eventually(async () => (await manager.api(agenda())).status === 403);

    // a member again, then the structure closes (no StructureMemberLeft is published for its members): refused again
    expect((await manager.api(`/api/directory/structures/${structureId}/members`, { method: 'POST', json: { rpps: RPPS } })).status).toBe(201);
    await eventually(async () => (await manager.api(agenda())).status === 200);
    const directory = t.platform.containers.get('directory')!.get(DIRECTORY_STRUCTURES.deps);
    await directory.structures.handle(structureStreamName(structureId), { type: 'CloseStructure', reason: 'closed-on-platform' }, asOsnp());
    await eventually(async () => (await manager.api(agenda())).status === 403);
  });

  describe('bad input answers 4xx with problem details and appends nothing', () => {
    const slot = { kind: 'slot', date: day(11), startTime: '09:00', endTime: '09:20', consultationTypes: ['cabinet'] };
    const cases: [string, () => Promise<Response>, number, RegExp][] = [
      ['missing fields', () => create({}), 400, /body\.kind/],
      ['an unknown kind', () => create({ ...slot, kind: 'creneau' }), 400, /body\.kind/],
      ['a range without its number of patients', () => create({ ...slot, kind: 'range' }), 400, /body\.patients/],
      ['a range of 51 patients', () => create({ ...slot, kind: 'range', patients: 51 }), 400, /body\.patients/],
      ['an impossible date', () => create({ ...slot, date: '2026-02-30' }), 400, /InvalidLocalDate/],
      ['a time that is not HH:MM', () => create({ ...slot, startTime: '9h' }), 400, /body\.startTime/],
      ['an end before the start', () => create({ ...slot, startTime: '10:00', endTime: '09:00' }), 400, /AvailabilityMustEndAfterItStarts/],
      ['a slot in the past', () => create({ ...slot, date: day(-2) }), 400, /AvailabilityCannotStartInThePast/],
      ['an unknown consultation type', () => create({ ...slot, consultationTypes: ['salon'] }), 400, /body\.consultationTypes/],
      ['no consultation type', () => create({ ...slot, consultationTypes: [] }), 400, /body\.consultationTypes/],
      ['a patient’s name', () => create({ ...slot, patientName: 'Jean Dupont' }), 400, /patientName/],
      ['a recurrence without weekdays', () => create({ ...slot, recurrence: { weekdays: [], until: day(20) } }), 400, /body\.recurrence\.weekdays/],
      ['an unknown weekday', () => create({ ...slot, recurrence: { weekdays: ['XX'], until: day(20) } }), 400, /body\.recurrence\.weekdays/],
      ['a recurrence ending before it starts', () => create({ ...slot, recurrence: { weekdays: ['MO'], until: day(1) } }), 400, /RecurrenceMustEndAfterItStarts/],
      ['an id with a slash', () => create({ ...slot, availabilityId: 'a/b' }), 400, /body\.availabilityId/],
      ['an RPPS with a wrong check digit', () => effecteur.api('/api/agendas/10000000001/availabilities', { method: 'POST', json: slot }), 400, /params\.rpps/],
      ['a bad week view', () => effecteur.api(agenda('?from=demain&days=0')), 400, /query\.(from|days)/],
      ['a week view of an impossible date', () => effecteur.api(agenda('?from=2026-13-01')), 400, /InvalidLocalDate/],
      ['a malformed occurrence id', () => effecteur.api(agenda('/occurrences/a%20b'), { method: 'DELETE' }), 400, /params\.occurrenceId/],
      ['an unknown occurrence', () => effecteur.api(agenda('/occurrences/nope'), { method: 'DELETE' }), 404, /AvailabilityDoesNotExist/],
      ['a change of an unknown occurrence', () => effecteur.api(agenda('/occurrences/nope'), { method: 'PATCH', json: { startTime: '10:00' } }), 404, /AvailabilityDoesNotExist/],
      ['a slot turned into a range without its number of patients', () => effecteur.api(agenda('/occurrences/slot-a'), { method: 'PATCH', json: { kind: 'range' } }), 400, /body\.patients/],
      ['an unknown field in a change', () => effecteur.api(agenda('/occurrences/slot-a'), { method: 'PATCH', json: { phone: '0600000000' } }), 400, /phone/],
      ['an unavailability ending before it starts', () => effecteur.api(agenda('/unavailabilities'), { method: 'POST', json: { fromDate: day(12), toDate: day(11) } }), 400, /UnavailabilityMustEndAfterItStarts/],
      ['an unknown unavailability', () => effecteur.api(agenda('/unavailabilities/nope'), { method: 'DELETE' }), 404, /UnavailabilityDoesNotExist/],
      ['an indefinite switch that is not a boolean', () => effecteur.api(agenda('/unavailabilities/indefinite'), { method: 'PUT', json: { on: 'yes' } }), 400, /body\.on/],
      ['malformed JSON', () => fetch(`${t.url}${agenda('/availabilities')}`, { method: 'POST', headers: { cookie: `sas_session=${effecteur.browser.cookies.get('sas_session')}`, 'x-csrf-token': effecteur.csrfToken, 'content-type': 'application/json' }, body: '{"kind": ' }), 400, /JSON/],
      ['without the CSRF token', () => effecteur.api(agenda('/availabilities'), { method: 'POST', json: slot, csrf: false }), 403, /CSRF|csrf/],
      ['without a session', () => fetch(`${t.url}${agenda()}`), 401, /AuthenticationRequired/],
    ];
    for (const [name, send, status, detail] of cases) {
      it(name, async () => {
        const before = await head();
        const response = await send();
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
        const body = (await response.json()) as { status: number; title: string; detail: string; code: string };
        expect(body.status).toBe(status);
        expect(body.title).toBeTruthy();
        expect(`${body.code} ${body.detail} ${JSON.stringify(body)}`).toMatch(detail);
        expect(await head()).toBe(before);
      });
    }
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${t.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/agendas/{rpps}/occurrences/{occurrenceId}'] ?? {}).sort()).toEqual(['delete', 'patch']);
    expect(doc.paths['/api/agendas/{rpps}/availabilities']?.post).toMatchObject({ requestBody: expect.anything() });
    expect(doc.paths['/api/agendas/{rpps}/unavailabilities/indefinite']?.put).toBeDefined();
  });
});
