/**
 * The directory and availability projections write runs of consecutive upserts in one statement (a catch-up over
 * millions of events). Whatever the sequence, applying it as one batch must leave exactly the tables that applying
 * it one event at a time leaves (fast-check, on real PostgreSQL semantics: PGlite).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/shared-kernel/events/envelope.ts';
import type { SqlProjection } from '../../src/shared-kernel/projections/projection.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';
import { practitionersProjection } from '../../src/modules/directory/infrastructure/practitioners.projection.ts';
import { freeSlotsProjection } from '../../src/modules/availability/infrastructure/free-slots.projection.ts';
import { slotIndexProjection } from '../../src/modules/availability/infrastructure/slot-index.projection.ts';

let db: PgliteDatabase;
beforeAll(async () => {
  db = await PgliteDatabase.open();
}, 60_000);
afterAll(async () => {
  await db?.close();
});

type Draft = { readonly type: string; readonly streamName: string; readonly data: Record<string, unknown> };

function recorded(drafts: readonly Draft[]): RecordedEvent[] {
  return drafts.map((d, i) => ({
    type: d.type,
    data: d.data,
    streamName: d.streamName,
    streamRevision: i,
    position: i + 1,
    metadata: { eventId: `e${i}`, occurredAt: new Date(Date.UTC(2026, 11, 1, 8, i)).toISOString(), correlationId: 'c', causationId: null, actor: { kind: 'system' }, schemaVersion: 1 },
  })) as unknown as RecordedEvent[];
}

/** Applies the events in one call to one set of tables and one by one to another, and returns both dumps. */
async function bothWays<T extends string>(projection: SqlProjection<T>, events: readonly RecordedEvent[]) {
  const names = (suffix: string) => Object.fromEntries(projection.tables.map((t) => [t, `${t}__${suffix}`])) as Record<T, string>;
  const batched = names('batched');
  const single = names('single');
  const dump = async (tables: Record<T, string>) => {
    const out: Record<string, unknown[]> = {};
    for (const [logical, physical] of Object.entries<string>(tables)) {
      out[logical] = (await db.query(`SELECT * FROM ${physical} ORDER BY 1, 2, 3`)).rows;
    }
    return out;
  };
  await db.transaction(async (tx) => {
    for (const table of [...Object.values<string>(batched), ...Object.values<string>(single)]) await tx.query(`DROP TABLE IF EXISTS ${table}`);
    await projection.createTables(tx, batched);
    await projection.createTables(tx, single);
  });
  await db.transaction((tx) => projection.apply(tx, events, batched));
  for (const event of events) await db.transaction((tx) => projection.apply(tx, [event], single));
  return { batched: await dump(batched), single: await dump(single) };
}

const RPPS = ['10000000003', '10000000011', '10000000029'];
const SLOTS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
const rpps = fc.constantFrom(...RPPS);
const slotId = fc.constantFrom(...SLOTS);
const name = fc.constantFrom('Martin', 'Bernard', 'Durand');
const instant = fc.integer({ min: 0, max: 96 }).map((h) => new Date(Date.UTC(2026, 11, 2, 0) + h * 3_600_000).toISOString());

const directoryEvent: fc.Arbitrary<Draft> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ type: fc.constantFrom('PractitionerRegistered', 'PractitionerDetailsChanged'), rpps, familyName: name, specialtyCode: fc.constantFrom('SM54', null) }).map(({ type, rpps: r, familyName, specialtyCode }) => ({ type, streamName: `directory.practitioner-${r}`, data: { rpps: r, nationalId: `8${r}`, civility: 'DR', givenName: 'Alex', familyName, professionCode: '10', professionLabel: 'Médecin', specialtyCode, specialtyLabel: specialtyCode ? 'Médecine générale' : null } })) },
  { weight: 4, arbitrary: fc.record({ type: fc.constantFrom('PracticeLocationAdded', 'PracticeLocationChanged'), rpps, locationId: fc.constantFrom('L1', 'L2'), phone: fc.constantFrom('0561000000', null), inseeCode: fc.constantFrom('31555', '31069') }).map(({ type, rpps: r, locationId, phone, inseeCode }) => ({ type, streamName: `directory.practitioner-${r}`, data: { rpps: r, locationId, structureName: `Cabinet ${locationId}`, siret: null, finessSite: null, streetNumber: '3', streetName: 'Rue des Lois', postcode: '31000', communeName: 'Toulouse', inseeCode, phone, modeExercice: 'L', secteurActivite: 'SA07' } })) },
  { weight: 1, arbitrary: fc.record({ rpps, locationId: fc.constantFrom('L1', 'L2') }).map(({ rpps: r, locationId }) => ({ type: 'PracticeLocationClosed', streamName: `directory.practitioner-${r}`, data: { rpps: r, locationId } })) },
  { weight: 1, arbitrary: rpps.map((r) => ({ type: 'PractitionerDeparted', streamName: `directory.practitioner-${r}`, data: { rpps: r } })) },
);

const availabilityEvent: fc.Arbitrary<Draft> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ slotId, rpps, start: instant, types: fc.subarray(['cabinet', 'teleconsultation', 'domicile'] as const), source: fc.constantFrom('manual', 'vendor'), stream: fc.constantFrom('a', 'b') }).map(({ slotId: s, rpps: r, start, types, source, stream }) => ({ type: 'SlotPublished', streamName: `availability.slot-${stream}`, data: { slotId: s, effecteurId: r, start, end: new Date(Date.parse(start) + 900_000).toISOString(), consultationTypes: types, source } })) },
  { weight: 2, arbitrary: fc.record({ slotId, rpps }).map(({ slotId: s, rpps: r }) => ({ type: 'SlotWithdrawn', streamName: 'availability.slot-a', data: { slotId: s, effecteurId: r, reason: null } })) },
  { weight: 1, arbitrary: fc.record({ slotId, rpps, start: instant }).map(({ slotId: s, rpps: r, start }) => ({ type: 'SlotChanged', streamName: 'availability.slot-a', data: { slotId: s, effecteurId: r, start, end: new Date(Date.parse(start) + 1_800_000).toISOString(), consultationTypes: ['cabinet'] } })) },
  { weight: 1, arbitrary: fc.record({ type: fc.constantFrom('SlotBooked', 'BookingCancelled'), slotId, rpps, remaining: fc.integer({ min: 0, max: 2 }) }).map(({ type, slotId: s, rpps: r, remaining }) => ({ type, streamName: 'availability.slot-a', data: { slotId: s, effecteurId: r, bookingId: 'b', start: '2026-12-02T08:00:00.000Z', end: '2026-12-02T08:15:00.000Z', remainingPlaces: remaining, reason: null } })) },
  { weight: 1, arbitrary: fc.record({ rpps, indefinite: fc.boolean(), start: instant }).map(({ rpps: r, indefinite, start }) => ({ type: 'UnavailabilityDeclared', streamName: `availability.agenda-${r}`, data: { effecteurId: r, periods: [{ periodId: 'p', start, end: new Date(Date.parse(start) + 7_200_000).toISOString() }], indefinite } })) },
);

describe('projections writing runs of events in one statement', () => {
  const cases = [
    ['directory practitioners', practitionersProjection, directoryEvent],
    ['availability free slots', freeSlotsProjection, availabilityEvent],
    ['availability slot index', slotIndexProjection, availabilityEvent],
  ] as const;
  for (const [label, projection, event] of cases) {
    it(`${label}: one batch leaves the tables that one event at a time leaves`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 30 }), async (drafts) => {
          const events = recorded(drafts.filter((d) => !projection.filter?.eventTypes || projection.filter.eventTypes.includes(d.type)));
          const { batched, single } = await bothWays(projection as SqlProjection<string>, events);
          expect(batched).toEqual(single);
        }),
        { numRuns: 60 },
      );
    }, 120_000);
  }
});
