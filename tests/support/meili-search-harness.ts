/**
 * Harnesses for the Meilisearch search adapter: its projection on a ProjectionRunner (events and checkpoints in an
 * in-memory PGlite), indexes under a random prefix deleted at the end; and a cross-check that the Meilisearch and
 * SQL engines, fed the same events, return the same cards in the same order for generated queries.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsultationType, SlotSource } from '../../src/modules/availability/contracts/availability.events.ts';
import type { SearchQuery } from '../../src/modules/directory/application/search/search-engine.port.ts';
import { FiliereRegistry } from '../../src/modules/directory/infrastructure/filiere-registry.ts';
import { CommuneGeocoder } from '../../src/modules/directory/infrastructure/geocoding/commune-geocoder.ts';
import { MeiliSearchEngine } from '../../src/modules/directory/infrastructure/search/meili-search-engine.ts';
import { MeiliSearchIndexes } from '../../src/modules/directory/infrastructure/search/meili-search.indexes.ts';
import { meiliSearchProjection } from '../../src/modules/directory/infrastructure/search/meili-search.projection.ts';
import { SqlSearchEngine } from '../../src/modules/directory/infrastructure/search/pg-search-engine.ts';
import { nameKey, searchProjection } from '../../src/modules/directory/infrastructure/search/search.projection.ts';
import { SqlEventStore } from '../../src/shared-kernel/event-store/sql-event-store.ts';
import { PgliteDatabase } from '../../src/shared-kernel/sql/pglite-database.ts';
import { rpps, runnerHarness, SearchEventsBuilder, type SearchEngineHarness } from '../contracts/search-engine.contract.ts';

export interface MeiliServer {
  readonly url: string;
  readonly apiKey?: string | undefined;
}

const referenceData = async () => ({ geocoder: await CommuneGeocoder.load(), filieres: FiliereRegistry.loadDirectory() });

/** The Meilisearch engine fed by its projection, on fresh indexes `test_<random>_*`. */
export async function meiliSearchHarness(server: MeiliServer): Promise<SearchEngineHarness> {
  const db = await PgliteDatabase.open();
  const store = await SqlEventStore.open(db, { pollIntervalMs: 20 });
  const indexes = new MeiliSearchIndexes({ url: server.url, apiKey: server.apiKey, indexPrefix: `test_${randomUUID().slice(0, 8)}` });
  return runnerHarness({
    store,
    db,
    // Small geo pages: a point search walks several pages and completes ties across them.
    engine: new MeiliSearchEngine(indexes, { geoPageSize: 3 }),
    projections: [meiliSearchProjection(indexes, await referenceData())],
    close: async () => {
      await indexes.dropAll();
      await store.close();
      await db.close();
    },
  });
}

/** A deterministic pseudo-random generator (mulberry32), so the cross-check fixture is the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COMMUNES = ['31555', '31069', '31149', '31395', '31113', '31555', '31555'];
const FAMILY = ['Dubois', 'Léger', 'Martin', 'Bernard', 'Éloi', 'Garçon', 'Petit', 'Durand', 'Lefèvre', 'Moreau'];
const GIVEN = ['Hélène', 'Paul', 'Zoé', 'Luc', 'Anaïs', 'Marc'];
const TYPES: ConsultationType[][] = [['cabinet'], ['teleconsultation'], ['domicile'], ['cabinet', 'teleconsultation'], ['cabinet', 'domicile']];

/**
 * The same events into the SQL projection and the Meilisearch one: for generated queries (places, radii, windows,
 * types, specialties, names, médecin traitant, seeds, pages), both engines return exactly the same cards.
 */
export function sameResultsAsSql(name: string, server: () => MeiliServer) {
  describe(`Meilisearch and SQL engines agree: ${name}`, () => {
    const now = Date.now();
    let close: () => Promise<void> = async () => undefined;
    let sql: SqlSearchEngine;
    let meili: MeiliSearchEngine;
    const practitioners: string[] = [];
    const names: string[] = [];

    beforeAll(async () => {
      const db = await PgliteDatabase.open();
      const store = await SqlEventStore.open(db, { pollIntervalMs: 20 });
      const deps = await referenceData();
      const indexes = new MeiliSearchIndexes({ ...server(), indexPrefix: `test_${randomUUID().slice(0, 8)}` });
      sql = new SqlSearchEngine(db);
      meili = new MeiliSearchEngine(indexes, { geoPageSize: 4 });
      const h = await runnerHarness({
        store,
        db,
        engine: meili,
        projections: [searchProjection(deps), meiliSearchProjection(indexes, deps)],
        close: async () => {
          await indexes.dropAll();
          await store.close();
          await db.close();
        },
      });
      close = () => h.close();
      const events = new SearchEventsBuilder(store, now);
      const random = prng(20261102);
      const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
      for (let i = 0; i < 60; i++) {
        const id = rpps(1000 + i);
        practitioners.push(id);
        const familyName = `${pick(FAMILY)}${i % 3 === 0 ? '' : `-${pick(FAMILY)}`}`;
        names.push(nameKey(familyName));
        const locations = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, k) => ({ locationId: `l${k}`, inseeCode: pick(COMMUNES) }));
        await events.practitioner({ rpps: id, familyName, givenName: pick(GIVEN), specialtyCode: pick(['SM54', 'SM54', 'SM53', 'SM26']), professionCode: i % 10 === 9 ? '40' : '10', locations });
        const slots: string[] = [];
        for (let s = Math.floor(random() * 4); s > 0; s--) {
          slots.push(await events.slot(id, Math.round(random() * 52 * 4) / 4 - 1, pick<SlotSource>(['manual', 'vendor']), pick(TYPES)));
        }
        if (random() < 0.15 && slots.length > 0) await events.withdraw(id, slots[0]!);
        if (random() < 0.1 && locations.length > 1) await events.closeLocation(id, 'l1');
        if (random() < 0.05) await events.depart(id);
      }
      await h.catchUp();
    });
    afterAll(async () => {
      await close();
    });

    it('returns the same cards in the same order', async () => {
      const place = fc.oneof(
        fc.record({ kind: fc.constant('point' as const), lat: fc.double({ min: 43.4, max: 43.7, noNaN: true }), lon: fc.double({ min: 1.25, max: 1.55, noNaN: true }), radiusKm: fc.integer({ min: 1, max: 30 }) }),
        fc.record({ kind: fc.constant('commune' as const), inseeCode: fc.constantFrom(...COMMUNES) }),
        fc.record({ kind: fc.constant('departement' as const), departement: fc.constantFrom('31', '31', '33') }),
      );
      /** Mostly absent, sometimes drawn from `arbitrary` (filters that narrow a lot). */
      const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary, weight: 1 });
      const queries = fc
        .record({
          place,
          fromH: fc.oneof(fc.constant(0), fc.integer({ min: -2, max: 24 })),
          hours: fc.constantFrom(0, 4, 8, 12, 24, 48, 48),
          onlyAvailable: fc.boolean(),
          consultationType: sometimes(fc.constantFrom<ConsultationType>('cabinet', 'teleconsultation', 'domicile')),
          specialty: sometimes(fc.constantFrom('SM54', 'SM53')),
          filiere: fc.constantFrom('medecine-generale', 'medecine-generale', 'medecine-generale', 'chirurgiens-dentistes'),
          name: sometimes(fc.tuple(fc.nat(59), fc.nat(20), fc.integer({ min: 2, max: 6 }))),
          treating: sometimes(fc.nat(59)),
          seed: fc.string({ minLength: 1, maxLength: 8 }),
          offset: fc.oneof({ arbitrary: fc.constant(0), weight: 2 }, { arbitrary: fc.integer({ min: 1, max: 12 }), weight: 1 }),
          limit: fc.integer({ min: 1, max: 25 }),
        })
        .map((r): SearchQuery => {
          const key = r.name ? names[r.name[0]]! : '';
          const start = r.name ? Math.min(r.name[1], Math.max(0, key.length - 2)) : 0;
          return {
            filiere: r.filiere,
            place: r.place,
            from: new Date(now + r.fromH * 3_600_000),
            to: new Date(now + (r.fromH + r.hours) * 3_600_000),
            onlyAvailable: r.onlyAvailable,
            ...(r.consultationType ? { consultationType: r.consultationType } : {}),
            ...(r.specialty ? { specialty: r.specialty } : {}),
            ...(r.name ? { name: key.slice(start, start + r.name[2]) } : {}),
            ...(r.treating !== undefined ? { treatingRpps: practitioners[r.treating]! } : {}),
            seed: r.seed,
            offset: r.offset,
            limit: r.limit,
          };
        });
      await fc.assert(
        fc.asyncProperty(queries, async (q) => {
          expect(await meili.search(q)).toEqual(await sql.search(q));
        }),
        { numRuns: 150 },
      );
    });
  });
}

/** At-least-once delivery: applying the same events again, or overlapping batches, leaves the same documents. */
export function redeliveryChecks(name: string, server: () => MeiliServer) {
  describe(`Meilisearch projection, events delivered again: ${name}`, () => {
    it('ignores events it already applied, whatever the batches', async () => {
      const db = await PgliteDatabase.open();
      const store = await SqlEventStore.open(db);
      const deps = await referenceData();
      const indexes = new MeiliSearchIndexes({ ...server(), indexPrefix: `test_${randomUUID().slice(0, 8)}` });
      try {
        const projection = meiliSearchProjection(indexes, deps);
        const engine = new MeiliSearchEngine(indexes);
        const events = new SearchEventsBuilder(store, Date.now());
        const a = rpps(5000);
        const b = rpps(5001);
        await events.practitioner({ rpps: a, familyName: 'Once', givenName: 'Ana', locations: [{ locationId: 'x', inseeCode: '31555' }, { locationId: 'y', inseeCode: '31069' }] });
        const slot = await events.slot(a, 1, 'vendor');
        await events.practitioner({ rpps: b, familyName: 'Twice', givenName: 'Bob', locations: [{ locationId: 'z', inseeCode: '31555' }] });
        await events.withdraw(a, slot);
        await events.closeLocation(a, 'y');
        await events.slot(b, 2, 'manual');
        const all = await store.readAll({ after: 0, limit: 1000 });
        const q: SearchQuery = { filiere: 'medecine-generale', place: { kind: 'departement', departement: '31' }, from: new Date(), to: new Date(Date.now() + 48 * 3_600_000), onlyAvailable: false, seed: 'x', offset: 0, limit: 10 };
        await projection.apply(all, 'live');
        const once = await engine.search(q);
        expect(once.map((c) => [c.rpps, c.locationId, c.group])).toEqual([
          [b, 'z', 'with-slots'],
          [a, 'x', 'without-slots'],
        ]);
        await projection.apply(all, 'live');
        await projection.apply(all.slice(2, 5), 'live');
        await projection.apply(all.slice(0, 3), 'live');
        expect(await engine.search(q)).toEqual(once);
        const state = await indexes.client.index(indexes.names.live.practitioners).getDocument(a);
        expect(state.position).toBe(all.filter((e) => e.streamName.endsWith(a) || (e.data as { effecteurId?: string }).effecteurId === a).at(-1)!.position);
      } finally {
        await indexes.dropAll();
        await store.close();
        await db.close();
      }
    });
  });
}
