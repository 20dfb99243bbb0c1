/**
 * The search-engine contract: ONE suite that every adapter of the SearchEngine port must pass (the SQL read model on
 * PostgreSQL and PGlite, Meilisearch). It is fed like production: directory and availability integration events
 * are appended to an event store and the adapter's projection(s) catch up through a ProjectionRunner.
 *
 * Fixture: general practitioners around Toulouse (Toulouse, Blagnac, Colomiers, Muret, Castanet), a dentist, Lyon,
 * Paris (two places of one practitioner), a closed place, a departed practitioner, a withdrawn slot, a moved place,
 * an accented name, slots entered by hand (`manual`) and by software vendors (`vendor`); a dozen practitioners in
 * Bordeaux for the seeded order of a zone and for neutrality; Ajaccio for live changes.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotStreamName, type ConsultationType, type SlotSource } from '../../src/modules/availability/contracts/availability.events.ts';
import { practitionerStreamName, structureStreamName, type StructureKind } from '../../src/modules/directory/contracts/directory.events.ts';
import type { SearchCard, SearchEngine, SearchQuery } from '../../src/modules/directory/application/search/search-engine.port.ts';
import { nameKey } from '../../src/modules/directory/infrastructure/search/search.projection.ts';
import type { EventStore } from '../../src/shared-kernel/event-store/event-store.port.ts';
import type { EventEnvelope } from '../../src/shared-kernel/events/envelope.ts';
import { ProjectionRunner } from '../../src/shared-kernel/projections/projection-runner.ts';
import type { Projection } from '../../src/shared-kernel/projections/projection.ts';
import type { SqlDatabase } from '../../src/shared-kernel/sql/sql-database.ts';
import { testMetadata, testRpps } from '../support/search-fixtures.ts';

export interface SearchEngineHarness {
  readonly engine: SearchEngine;
  readonly store: EventStore;
  /** Resolves once the projections feeding the engine applied every event of the store. */
  catchUp(): Promise<void>;
  /** Rebuilds the projections feeding the engine from the whole history (fresh target, then swap). */
  rebuild(): Promise<void>;
  close(): Promise<void>;
}

/** Runs the given projections on a ProjectionRunner (checkpoints in `db`) and serves `engine`. */
export async function runnerHarness(options: {
  readonly store: EventStore;
  readonly db: SqlDatabase;
  readonly engine: SearchEngine;
  readonly projections: readonly Projection[];
  readonly close: () => Promise<void>;
}): Promise<SearchEngineHarness> {
  const failures: string[] = [];
  const runner = new ProjectionRunner(options.store, options.db, {
    batchSize: 97,
    onError: (name, error) => failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`),
  });
  for (const projection of options.projections) runner.register(projection);
  await runner.start();
  return {
    engine: options.engine,
    store: options.store,
    async catchUp() {
      const head = await options.store.headPosition();
      const deadline = Date.now() + 60_000;
      for (;;) {
        if (failures.length > 0) throw new Error(`projection failed: ${failures.join('; ')}`);
        const statuses = await runner.status();
        if (statuses.every((s) => s.position >= head)) return;
        if (Date.now() > deadline) throw new Error(`projections did not catch up with ${head}: ${JSON.stringify(statuses)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async rebuild() {
      for (const name of runner.names) await runner.rebuild(name);
    },
    async close() {
      await runner.stop();
      await options.close();
    },
  };
}

/** An 11-digit RPPS with its Luhn check digit, in the `18…` range. */
export const rpps = (base: number): string => testRpps(base, 1_800_000_000);

const HOUR = 3_600_000;

const envelope = (type: string, data: Record<string, unknown>): EventEnvelope => ({ type, data, metadata: testMetadata() });

export interface PractitionerSpec {
  readonly rpps: string;
  readonly familyName: string;
  readonly givenName: string;
  /** TRE_G15: 10 médecin, 40 chirurgien-dentiste. */
  readonly professionCode?: string;
  readonly specialtyCode?: string | null;
  readonly locations: readonly { readonly locationId: string; readonly inseeCode: string; readonly postcode?: string; readonly geo?: { lat: number; lon: number } }[];
}

/** Builds and appends the integration events the search listens to, as the directory and availability modules do. */
export class SearchEventsBuilder {
  readonly #store: EventStore;
  /** The instant slots are placed from (`now + h hours`), also the start of the searched windows. */
  readonly now: number;

  constructor(store: EventStore, now: number) {
    this.#store = store;
    this.now = now;
  }

  async practitioner(p: PractitionerSpec): Promise<void> {
    const professionCode = p.professionCode ?? '10';
    const specialtyCode = p.specialtyCode === undefined ? (professionCode === '10' ? 'SM54' : null) : p.specialtyCode;
    await this.#store.appendToStream(practitionerStreamName(p.rpps), [
      envelope('PractitionerRegistered', {
        rpps: p.rpps,
        nationalId: `8${p.rpps}`,
        civility: professionCode === '10' ? 'DR' : null,
        givenName: p.givenName,
        familyName: p.familyName,
        professionCode,
        professionLabel: professionCode === '10' ? 'Médecin' : 'Chirurgien-Dentiste',
        specialtyCode,
        specialtyLabel: specialtyCode === 'SM54' ? 'Médecine générale' : specialtyCode,
      }),
      ...p.locations.map((l) => envelope('PracticeLocationAdded', { ...this.#location(p.rpps, l.locationId, l.inseeCode, l.postcode ?? null), ...(l.geo ? { geo: l.geo } : {}) })),
    ]);
  }

  #location(rppsId: string, locationId: string, inseeCode: string, postcode: string | null) {
    return {
      rpps: rppsId,
      locationId,
      structureName: `Cabinet ${locationId}`,
      siret: null,
      finessSite: null,
      streetNumber: '12',
      streetName: 'Rue des Tests',
      postcode,
      communeName: null,
      inseeCode,
      phone: '0561000000',
      modeExercice: 'L',
      secteurActivite: null,
    };
  }

  async changeLocation(rppsId: string, locationId: string, inseeCode: string): Promise<void> {
    await this.#store.appendToStream(practitionerStreamName(rppsId), [envelope('PracticeLocationChanged', this.#location(rppsId, locationId, inseeCode, null))]);
  }

  async renamePractitioner(rppsId: string, familyName: string, givenName: string): Promise<void> {
    await this.#store.appendToStream(practitionerStreamName(rppsId), [
      envelope('PractitionerDetailsChanged', {
        rpps: rppsId,
        nationalId: `8${rppsId}`,
        civility: 'DR',
        givenName,
        familyName,
        professionCode: '10',
        professionLabel: 'Médecin',
        specialtyCode: 'SM54',
        specialtyLabel: 'Médecine générale',
      }),
    ]);
  }

  async closeLocation(rppsId: string, locationId: string): Promise<void> {
    await this.#store.appendToStream(practitionerStreamName(rppsId), [envelope('PracticeLocationClosed', { rpps: rppsId, locationId })]);
  }

  async depart(rppsId: string): Promise<void> {
    await this.#store.appendToStream(practitionerStreamName(rppsId), [envelope('PractitionerDeparted', { rpps: rppsId })]);
  }

  /** Publishes a slot starting `inHours` after `now` (20 minutes long); returns its id. */
  async slot(
    rppsId: string,
    inHours: number,
    source: SlotSource,
    consultationTypes: readonly ConsultationType[] = ['cabinet'],
    slotId: string = randomUUID(),
    bookingMode?: 'end-to-end' | 'phone',
  ): Promise<string> {
    await this.#store.appendToStream(slotStreamName(slotId), [this.#slotEvent('SlotPublished', rppsId, slotId, inHours, source, consultationTypes, bookingMode)]);
    return slotId;
  }

  /** A slot's publication or move: `inHours` after `now`, 20 minutes long. */
  #slotEvent(
    type: 'SlotPublished' | 'SlotChanged',
    rppsId: string,
    slotId: string,
    inHours: number,
    source: SlotSource,
    consultationTypes: readonly ConsultationType[],
    bookingMode: 'end-to-end' | 'phone' | undefined,
  ): EventEnvelope {
    const start = this.now + inHours * HOUR;
    return envelope(type, {
      slotId,
      effecteurId: rppsId,
      start: new Date(start).toISOString(),
      end: new Date(start + 20 * 60_000).toISOString(),
      consultationTypes,
      source,
      ...(bookingMode ? { bookingMode } : {}),
    });
  }

  async withdraw(rppsId: string, slotId: string): Promise<void> {
    await this.#store.appendToStream(slotStreamName(slotId), [envelope('SlotWithdrawn', { slotId, effecteurId: rppsId, reason: null })]);
  }

  /** Moves a slot to start `inHours` after `now` (20 minutes long). */
  async changeSlot(
    rppsId: string,
    slotId: string,
    inHours: number,
    source: SlotSource,
    consultationTypes: readonly ConsultationType[] = ['cabinet'],
    bookingMode?: 'end-to-end' | 'phone',
  ): Promise<void> {
    await this.#store.appendToStream(slotStreamName(slotId), [this.#slotEvent('SlotChanged', rppsId, slotId, inHours, source, consultationTypes, bookingMode)]);
  }


  async book(rppsId: string, slotId: string, bookingId: string, remainingPlaces: number, source: SlotSource = 'manual'): Promise<void> {
    await this.#store.appendToStream(slotStreamName(slotId), [
      envelope('SlotBooked', { slotId, effecteurId: rppsId, bookingId, start: new Date(this.now).toISOString(), end: new Date(this.now).toISOString(), source, remainingPlaces }),
    ]);
  }

  async cancelBooking(rppsId: string, slotId: string, bookingId: string, remainingPlaces: number): Promise<void> {
    await this.#store.appendToStream(slotStreamName(slotId), [envelope('BookingCancelled', { slotId, effecteurId: rppsId, bookingId, reason: null, remainingPlaces })]);
  }

  /** The aggregation job's word on a vendor's slots: stale (not confirmed for longer than its TTL) or refreshed. */
  async vendorSlots(vendorId: string, slotIds: readonly string[], effecteurIds: readonly string[], stale: boolean): Promise<void> {
    await this.#store.appendToStream(`availability.vendor-${vendorId}`, [
      envelope(stale ? 'VendorSlotsStale' : 'VendorSlotsRefreshed', { vendorId, slotIds, effecteurIds, ...(stale ? { lastSuccessAt: null } : {}) }),
    ]);
  }

  /** The effecteur's SAS participation as now declared (null: withdrawn). */
  async participation(rppsId: string, declared: { mode?: string; structureId?: string | null; acceptsEnSus?: boolean; conventionSector?: string | null } | null): Promise<void> {
    await this.#store.appendToStream(`participation.effecteur-${rppsId}`, [
      declared
        ? envelope('ParticipationDeclared', {
            effecteurId: rppsId,
            mode: declared.mode ?? 'individual',
            structureId: declared.structureId ?? null,
            acceptsEnSus: declared.acceptsEnSus ?? false,
            conventionSector: declared.conventionSector ?? null,
          })
        : envelope('ParticipationWithdrawn', { effecteurId: rppsId }),
    ]);
  }

  /**
   * Registers (or, `again`, changes the details of) a structure in a commune. Without `siret` the event has no
   * SIRET field at all, as those written before it existed.
   */
  async structure(structureId: string, kind: StructureKind, name: string, inseeCode: string, phone: string | null, again = false, siret?: string | null): Promise<void> {
    await this.#store.appendToStream(structureStreamName(structureId), [
      envelope(again ? 'StructureDetailsChanged' : 'StructureRegistered', {
        structureId,
        kind,
        finess: null,
        finessCategory: null,
        ...(siret === undefined ? {} : { siret }),
        name,
        address: { inseeCode, postcode: null, street: null },
        phone,
        source: 'platform',
      }),
    ]);
  }

  async joinStructure(structureId: string, rppsId: string): Promise<void> {
    await this.#store.appendToStream(structureStreamName(structureId), [envelope('StructureMemberJoined', { structureId, rpps: rppsId })]);
  }

  async leaveStructure(structureId: string, rppsId: string): Promise<void> {
    await this.#store.appendToStream(structureStreamName(structureId), [envelope('StructureMemberLeft', { structureId, rpps: rppsId })]);
  }

  async closeStructure(structureId: string): Promise<void> {
    await this.#store.appendToStream(structureStreamName(structureId), [envelope('StructureClosed', { structureId, reason: 'closed-on-platform' })]);
  }

  /** Declares the effecteur's whole unavailability: periods in hours from `now`, and the indefinite switch. */
  async unavailability(rppsId: string, periods: readonly [number, number][], indefinite = false): Promise<void> {
    await this.#store.appendToStream(`availability.agenda-${rppsId}`, [
      envelope('UnavailabilityDeclared', {
        effecteurId: rppsId,
        periods: periods.map(([from, to], i) => ({ periodId: `p${i}`, start: new Date(this.now + from * HOUR).toISOString(), end: new Date(this.now + to * HOUR).toISOString() })),
        indefinite,
      }),
    ]);
  }
}

/** Commune centres of the fixture (data/reference/communes-fr.csv). */
const TOULOUSE = { lat: 43.6007, lon: 1.4328 };
const BORDEAUX = { lat: 44.8624, lon: -0.5848 };

const P = {
  dubois: rpps(1), // Toulouse, SM54, slots +2 h manual (cabinet, téléconsultation) and +30 h vendor
  martin: rpps(2), // Blagnac, SM54, slots +10 h vendor (cabinet) and +3 h vendor (domicile)
  bernard: rpps(3), // Toulouse, SM53, no slot
  leger: rpps(4), // Hélène Léger, Colomiers, slot +5 h manual (téléconsultation)
  richard: rpps(5), // Muret, no slot: the patient's médecin traitant
  petit: rpps(6), // dentist, Toulouse, slot +3 h
  robert: rpps(7), // Lyon, slot +1 h
  moreau: rpps(8), // Paris 11e and Paris 4e (two places), slot +4 h vendor
  closing: rpps(9), // Toulouse and Blagnac, the Blagnac place closed; slot +6 h
  departed: rpps(10), // Toulouse, slot +2 h, then departed
  garcia: rpps(11), // Toulouse, slot +2 h published then withdrawn
  moving: rpps(12), // Toulouse place moved to Castanet-Tolosan
};
const BORDEAUX_COUNT = 12;
const bordeaux = Array.from({ length: BORDEAUX_COUNT }, (_, i) => rpps(100 + i));
const AJACCIO = rpps(200);

export interface ContractOptions {
  /** Whether `rebuild` can run on this set-up (see the SQL test on PGlite). Default true. */
  readonly rebuild?: boolean;
  /**
   * Whether the engine searches by structure (CPTS cards, structure filter). Default true. An engine without
   * must refuse such a query (tested), never answer it without the structures.
   */
  readonly structures?: boolean;
}

export function searchEngineContract(name: string, open: () => Promise<SearchEngineHarness>, options: ContractOptions = {}) {
  describe(`SearchEngine contract: ${name}`, () => {
    let h: SearchEngineHarness;
    let events: SearchEventsBuilder;
    const now = Date.now();
    const slots: Record<string, string> = {};
    /** Bordeaux slots, for the neutrality property: [rpps, slotId, inHours, types]. */
    const bordeauxSlots: [string, string, number, ConsultationType[]][] = [];

    const query = (q: Partial<SearchQuery> & Pick<SearchQuery, 'place'>): SearchQuery => ({
      filiere: 'medecine-generale',
      from: new Date(now),
      to: new Date(now + 48 * HOUR),
      onlyAvailable: false,
      seed: 'contract',
      offset: 0,
      limit: 50,
      ...q,
    });
    const search = (q: Partial<SearchQuery> & Pick<SearchQuery, 'place'>) => h.engine.search(query(q));
    const rppsOf = (cards: readonly SearchCard[]) => cards.map((c) => c.rpps);
    const set = (cards: readonly SearchCard[]) => new Set(cards.map((c) => c.rpps));
    const dept = (departement: string) => ({ kind: 'departement', departement }) as const;
    const commune = (inseeCode: string) => ({ kind: 'commune', inseeCode }) as const;
    const around = (p: { lat: number; lon: number }, radiusKm: number) => ({ kind: 'point', lat: p.lat, lon: p.lon, radiusKm }) as const;
    const window = (fromH: number, toH: number) => ({ from: new Date(now + fromH * HOUR), to: new Date(now + toH * HOUR) });

    beforeAll(async () => {
      h = await open();
      events = new SearchEventsBuilder(h.store, now);
      const mg = (rppsId: string, familyName: string, givenName: string, insee: string, extra: Partial<PractitionerSpec> = {}) =>
        events.practitioner({ rpps: rppsId, familyName, givenName, locations: [{ locationId: `loc-${rppsId}`, inseeCode: insee }], ...extra });
      await mg(P.dubois, 'Dubois', 'Claire', '31555', { locations: [{ locationId: 'cabinet-capitole', inseeCode: '31555', postcode: '31000' }] });
      await mg(P.martin, 'Martin', 'Paul', '31069');
      await mg(P.bernard, 'Bernard', 'Luc', '31555', { specialtyCode: 'SM53' });
      await mg(P.leger, 'Léger', 'Hélène', '31149');
      await mg(P.richard, 'Richard', 'Anne', '31395');
      await mg(P.petit, 'Petit', 'Marc', '31555', { professionCode: '40' });
      await mg(P.robert, 'Robert', 'Jean', '69123');
      await mg(P.moreau, 'Moreau', 'Sophie', '75111', {
        locations: [
          { locationId: 'paris-11', inseeCode: '75111' },
          { locationId: 'paris-04', inseeCode: '75104' },
        ],
      });
      await mg(P.closing, 'Fermier', 'Yves', '31555', {
        locations: [
          { locationId: 'toulouse', inseeCode: '31555' },
          { locationId: 'blagnac', inseeCode: '31069' },
        ],
      });
      await mg(P.departed, 'Partant', 'Rémi', '31555');
      await mg(P.garcia, 'Garcia', 'Inès', '31555');
      await mg(P.moving, 'Mobile', 'Léa', '31555');

      slots.dubois2h = await events.slot(P.dubois, 2, 'manual', ['cabinet', 'teleconsultation']);
      slots.dubois30h = await events.slot(P.dubois, 30, 'vendor');
      slots.martin10h = await events.slot(P.martin, 10, 'vendor');
      slots.martin3h = await events.slot(P.martin, 3, 'vendor', ['domicile']);
      slots.leger5h = await events.slot(P.leger, 5, 'manual', ['teleconsultation']);
      await events.slot(P.petit, 3, 'manual');
      await events.slot(P.robert, 1, 'manual');
      slots.moreau4h = await events.slot(P.moreau, 4, 'vendor');
      await events.slot(P.closing, 6, 'manual');
      await events.slot(P.departed, 2, 'manual');
      slots.garcia2h = await events.slot(P.garcia, 2, 'manual');
      // A slot published before its practitioner is known, and one far in the past window: both handled.
      await events.slot(P.moving, 7, 'manual');

      await events.closeLocation(P.closing, 'blagnac');
      await events.depart(P.departed);
      await events.withdraw(P.garcia, slots.garcia2h);
      await events.changeLocation(P.moving, `loc-${P.moving}`, '31113');

      for (const [i, id] of bordeaux.entries()) {
        await events.practitioner({ rpps: id, familyName: `Bordelais${i}`, givenName: 'Test', locations: [{ locationId: `bx-${i}`, inseeCode: '33063' }] });
        if (i % 2 === 0) {
          const types: ConsultationType[] = i % 4 === 0 ? ['cabinet'] : ['cabinet', 'teleconsultation'];
          const inHours = 1 + (i % 3);
          bordeauxSlots.push([id, await events.slot(id, inHours, i % 4 === 0 ? 'vendor' : 'manual', types), inHours, types]);
        }
      }
      await h.catchUp();
    });
    afterAll(async () => {
      await h?.close();
    });

    describe('places', () => {
      it('finds the places of a commune, of a département, around a point', async () => {
        expect(set(await search({ place: commune('31555') }))).toEqual(new Set([P.dubois, P.bernard, P.closing, P.garcia]));
        expect(set(await search({ place: dept('31') }))).toEqual(new Set([P.dubois, P.martin, P.bernard, P.leger, P.richard, P.closing, P.garcia, P.moving]));
        expect(rppsOf(await search({ place: dept('69') }))).toEqual([P.robert]);
        expect(set(await search({ place: around(TOULOUSE, 10) }))).toEqual(new Set([P.dubois, P.martin, P.bernard, P.leger, P.closing, P.garcia]));
      });

      it('returns one card per place of practice', async () => {
        const cards = await search({ place: dept('75') });
        expect(cards.map((c) => [c.rpps, c.locationId]).sort()).toEqual([
          [P.moreau, 'paris-04'],
          [P.moreau, 'paris-11'],
        ]);
        expect(cards.every((c) => c.slots.map((s) => s.slotId).join() === slots.moreau4h)).toBe(true);
      });

      it('bounds a point search by its radius', async () => {
        const wide = await search({ place: around(TOULOUSE, 50) });
        const martin = wide.find((c) => c.rpps === P.martin)!;
        expect(martin.distanceKm).toBeGreaterThan(5);
        expect(rppsOf(await search({ place: around(TOULOUSE, martin.distanceKm! - 0.2) }))).not.toContain(P.martin);
        expect(rppsOf(await search({ place: around(TOULOUSE, martin.distanceKm! + 0.2) }))).toContain(P.martin);
        expect(rppsOf(wide)).toContain(P.richard);
        expect(rppsOf(await search({ place: around(TOULOUSE, 15) }))).not.toContain(P.richard);
        expect(await search({ place: around({ lat: 48.1, lon: -4.3 }, 5) })).toEqual([]);
      });

      it('shows the card of a place: identity, address, distance, slots of the window', async () => {
        const [card] = (await search({ place: around(TOULOUSE, 3), ...window(0, 4) })).filter((c) => c.rpps === P.dubois);
        expect(card).toEqual({
          rpps: P.dubois,
          locationId: 'cabinet-capitole',
          givenName: 'Claire',
          familyName: 'Dubois',
          civility: 'DR',
          specialty: 'Médecine générale',
          address: { streetNumber: '12', streetName: 'Rue des Tests', postcode: '31000', commune: 'Toulouse', inseeCode: '31555' },
          structure: 'Cabinet cabinet-capitole',
          phone: '0561000000',
          structures: [],
          participation: null,
          effecteurStructure: null,
          distanceKm: 0,
          group: 'with-slots',
          slots: [
            {
              slotId: slots.dubois2h,
              start: new Date(now + 2 * HOUR).toISOString(),
              end: new Date(now + 2 * HOUR + 20 * 60_000).toISOString(),
              consultationTypes: ['cabinet', 'teleconsultation'],
              source: 'manual',
            },
          ],
        });
        const zone = await search({ place: commune('31555') });
        expect(zone.every((c) => c.distanceKm === null)).toBe(true);
        const both = zone.find((c) => c.rpps === P.dubois)!;
        expect(both.slots.map((s) => s.slotId)).toEqual([slots.dubois2h, slots.dubois30h]);
      });
    });

    describe('filters', () => {
      it('keeps practitioners with a slot in the window when onlyAvailable (slots starting in [from, to))', async () => {
        const available = (fromH: number, toH: number) => search({ place: dept('31'), onlyAvailable: true, ...window(fromH, toH) });
        expect(set(await available(0, 4))).toEqual(new Set([P.dubois, P.martin]));
        expect(set(await available(4, 8))).toEqual(new Set([P.leger, P.closing, P.moving]));
        expect(rppsOf(await available(8, 12))).toEqual([P.martin]);
        expect(rppsOf(await available(24, 48))).toEqual([P.dubois]);
        // The start is inside at `from`, outside at `to`.
        expect(rppsOf(await available(2, 2.5))).toEqual([P.dubois]);
        expect(rppsOf(await available(1.5, 2))).toEqual([]);
        expect(await available(3, 3)).toEqual([]);
      });

      it('filters the slots and the groups by consultation type', async () => {
        const typed = (consultationType: SearchQuery['consultationType'], onlyAvailable = true) =>
          search({ place: dept('31'), onlyAvailable, consultationType, ...window(0, 4) });
        expect(rppsOf(await typed('teleconsultation'))).toEqual([P.dubois]);
        expect(rppsOf(await typed('domicile'))).toEqual([P.martin]);
        expect(rppsOf(await typed('cabinet'))).toEqual([P.dubois]);
        const all = await search({ place: dept('31'), consultationType: 'teleconsultation' });
        const martin = all.find((c) => c.rpps === P.martin)!;
        expect(martin).toMatchObject({ group: 'without-slots', slots: [] });
        expect(all.find((c) => c.rpps === P.leger)!.slots.map((s) => s.slotId)).toEqual([slots.leger5h]);
        expect(all.find((c) => c.rpps === P.dubois)!.slots.map((s) => s.slotId)).toEqual([slots.dubois2h]);
      });

      it('filters by filière and specialty', async () => {
        expect(rppsOf(await search({ place: commune('31555'), filiere: 'chirurgiens-dentistes' }))).toEqual([P.petit]);
        expect(rppsOf(await search({ place: dept('31'), specialty: 'SM53' }))).toEqual([P.bernard]);
        expect(await search({ place: dept('31'), filiere: 'sages-femmes' })).toEqual([]);
      });

      it('finds a name as a substring of the accent-free name key', async () => {
        const named = (name: string) => search({ place: dept('31'), name });
        expect(rppsOf(await named('helene'))).toEqual([P.leger]);
        expect(rppsOf(await named(nameKey('LÉGER')))).toEqual([P.leger]);
        expect(rppsOf(await named('leger helene'))).toEqual([P.leger]);
        expect(rppsOf(await named('ubo'))).toEqual([P.dubois]);
        expect(rppsOf(await named('ub'))).toEqual([P.dubois]);
        expect(await named('zzz')).toEqual([]);
        expect(rppsOf(await search({ place: around(TOULOUSE, 20), name: 'garcia' }))).toEqual([P.garcia]);
      });
    });

    describe('ordering', () => {
      it('shows the médecin traitant first, then practitioners with slots, then the others', async () => {
        const cards = await search({ place: around(TOULOUSE, 30), treatingRpps: P.richard });
        expect(cards[0]).toMatchObject({ rpps: P.richard, group: 'medecin-traitant' });
        const rest = cards.slice(1);
        expect(rest.map((c) => c.group)).toEqual([...rest].map((c) => c.group).sort());
        expect(set(rest.filter((c) => c.group === 'with-slots'))).toEqual(new Set([P.dubois, P.martin, P.leger, P.closing, P.moving]));
        expect(set(rest.filter((c) => c.group === 'without-slots'))).toEqual(new Set([P.bernard, P.garcia]));
        expect(rppsOf(rest)).toEqual(rppsOf(await search({ place: around(TOULOUSE, 30) })).filter((id) => id !== P.richard));
      });

      it('shows the médecin traitant wherever they practise, unless a filter (availability, filière) leaves them out', async () => {
        expect(rppsOf(await search({ place: around(TOULOUSE, 30), treatingRpps: P.richard, onlyAvailable: true }))).not.toContain(P.richard);
        // Muret is ~20 km from Toulouse: outside a 10 km radius, the médecin traitant still comes first, with their distance.
        const outside = await search({ place: around(TOULOUSE, 10), treatingRpps: P.richard });
        expect(outside[0]).toMatchObject({ rpps: P.richard, group: 'medecin-traitant' });
        expect(outside[0]!.distanceKm).toBeGreaterThan(10);
        expect(rppsOf(await search({ place: dept('69'), treatingRpps: P.richard }))[0]).toBe(P.richard);
        expect(rppsOf(await search({ place: dept('31'), filiere: 'chirurgiens-dentistes', treatingRpps: P.richard }))).not.toContain(P.richard);
        const withSlots = await search({ place: dept('31'), treatingRpps: P.martin, onlyAvailable: true, ...window(8, 12) });
        expect(withSlots.map((c) => [c.rpps, c.group])).toEqual([[P.martin, 'medecin-traitant']]);
      });

      it('orders each group by distance around a point', async () => {
        const cards = await search({ place: around(TOULOUSE, 30) });
        for (const group of ['with-slots', 'without-slots']) {
          const distances = cards.filter((c) => c.group === group).map((c) => c.distanceKm!);
          expect(distances).toEqual([...distances].sort((a, b) => a - b));
        }
        const withSlots = cards.filter((c) => c.group === 'with-slots').map((c) => c.rpps);
        expect(withSlots.indexOf(P.dubois)).toBeLessThan(withSlots.indexOf(P.martin));
        expect(withSlots.indexOf(P.martin)).toBeLessThan(withSlots.indexOf(P.leger));
        expect(withSlots.indexOf(P.leger)).toBeLessThan(withSlots.indexOf(P.moving));
      });

      it('orders a zone randomly but stably for one seed, and pages through it without gaps or duplicates', async () => {
        const zone = (seed: string, offset = 0, limit = 50) => search({ place: dept('33'), seed, offset, limit });
        const full = await zone('alpha');
        expect(full).toHaveLength(BORDEAUX_COUNT);
        expect(set(full)).toEqual(new Set(bordeaux));
        expect(full.slice(0, BORDEAUX_COUNT / 2).every((c) => c.group === 'with-slots')).toBe(true);
        expect(rppsOf(await zone('alpha'))).toEqual(rppsOf(full));
        const pages = [...(await zone('alpha', 0, 5)), ...(await zone('alpha', 5, 5)), ...(await zone('alpha', 10, 5))];
        expect(rppsOf(pages)).toEqual(rppsOf(full));
        expect(await zone('alpha', 12, 5)).toEqual([]);
        const orders = new Set<string>();
        for (const seed of ['alpha', 'beta', 'gamma', 'delta', 'epsilon']) orders.add(rppsOf(await zone(seed)).join());
        expect(orders.size).toBeGreaterThan(1);
      });

      it('pages through a point search with ties (one commune centre) the same way', async () => {
        const point = (seed: string, offset: number, limit: number) => search({ place: around(BORDEAUX, 5), seed, offset, limit });
        const full = await point('tie', 0, 50);
        expect(set(full)).toEqual(new Set(bordeaux));
        expect(rppsOf(await point('tie', 0, 50))).toEqual(rppsOf(full));
        const pages = [...(await point('tie', 0, 4)), ...(await point('tie', 4, 4)), ...(await point('tie', 8, 4))];
        expect(rppsOf(pages)).toEqual(rppsOf(full));
        const orders = new Set<string>();
        for (const seed of ['a', 'b', 'c', 'd', 'e']) orders.add(rppsOf(await point(seed, 0, 50)).join());
        expect(orders.size).toBeGreaterThan(1);
      });
    });

    describe('changes', () => {
      it('leaves out withdrawn slots, closed places, departed practitioners and the old place of a moved one', async () => {
        const garcia = (await search({ place: commune('31555') })).find((c) => c.rpps === P.garcia)!;
        expect(garcia).toMatchObject({ group: 'without-slots', slots: [] });
        expect(rppsOf(await search({ place: commune('31069') }))).toEqual([P.martin]);
        expect((await search({ place: dept('31') })).filter((c) => c.rpps === P.closing).map((c) => c.locationId)).toEqual(['toulouse']);
        expect(rppsOf(await search({ place: around(TOULOUSE, 50) }))).not.toContain(P.departed);
        expect(rppsOf(await search({ place: commune('31113') }))).toEqual([P.moving]);
        expect(rppsOf(await search({ place: commune('31555') }))).not.toContain(P.moving);
      });

      it('follows live events: a slot, its withdrawal, a new name, a closed place', async () => {
        const ajaccio = () => search({ place: dept('2A') });
        await events.practitioner({ rpps: AJACCIO, familyName: 'Corse', givenName: 'Ange', locations: [{ locationId: 'ajaccio', inseeCode: '2A004' }] });
        await h.catchUp();
        expect((await ajaccio()).map((c) => [c.rpps, c.group])).toEqual([[AJACCIO, 'without-slots']]);
        const slotId = await events.slot(AJACCIO, 1, 'vendor');
        await h.catchUp();
        expect((await ajaccio()).map((c) => [c.group, c.slots.map((s) => s.slotId)])).toEqual([['with-slots', [slotId]]]);
        await events.withdraw(AJACCIO, slotId);
        await events.renamePractitioner(AJACCIO, 'Colonna', 'Ange');
        await h.catchUp();
        expect((await ajaccio()).map((c) => [c.group, c.familyName, c.slots.length])).toEqual([['without-slots', 'Colonna', 0]]);
        expect(await search({ place: dept('2A'), name: 'corse' })).toEqual([]);
        await events.closeLocation(AJACCIO, 'ajaccio');
        await h.catchUp();
        expect(await ajaccio()).toEqual([]);
      });
    });

    describe('bookings, moved slots, unavailability', () => {
      const BASTIA = { lat: 42.6861, lon: 9.424 };
      const corsican = rpps(300);
      const bastia = () => search({ place: commune('2B033') });
      const slotIds = async () => (await bastia()).flatMap((c) => c.slots.map((s) => s.slotId)).sort();

      it('hides a slot with no place left, shows it again after a cancellation, keeps a range with places left', async () => {
        await events.practitioner({ rpps: corsican, familyName: 'Bastiais', givenName: 'Paul', locations: [{ locationId: 'bastia', inseeCode: '2B033' }] });
        const slot = await events.slot(corsican, 2, 'manual');
        const range = await events.slot(corsican, 5, 'manual');
        await h.catchUp();
        expect(await slotIds()).toEqual([slot, range].sort());
        await events.book(corsican, slot, 'b1', 0);
        await events.book(corsican, range, 'b2', 2);
        await h.catchUp();
        expect(await slotIds()).toEqual([range]);
        expect(await search({ place: commune('2B033'), onlyAvailable: true, ...window(0, 3) })).toEqual([]);
        await events.cancelBooking(corsican, slot, 'b1', 1);
        await h.catchUp();
        expect(await slotIds()).toEqual([slot, range].sort());
        expect(rppsOf(await search({ place: commune('2B033'), onlyAvailable: true, ...window(0, 3) }))).toEqual([corsican]);
        expect(rppsOf(await search({ place: around(BASTIA, 5), onlyAvailable: true, ...window(0, 3) }))).toEqual([corsican]);
      });

      it('follows a moved slot (time and consultation type)', async () => {
        const moved = await events.slot(corsican, 8, 'vendor');
        await h.catchUp();
        expect(rppsOf(await search({ place: commune('2B033'), onlyAvailable: true, ...window(7, 9) }))).toEqual([corsican]);
        await events.changeSlot(corsican, moved, 20, 'vendor', ['teleconsultation']);
        await h.catchUp();
        expect(await search({ place: commune('2B033'), onlyAvailable: true, ...window(7, 9) })).toEqual([]);
        const later = await search({ place: commune('2B033'), onlyAvailable: true, consultationType: 'teleconsultation', ...window(19, 21) });
        expect(later.map((c) => c.slots.map((s) => [s.slotId, s.consultationTypes]))).toEqual([[[moved, ['teleconsultation']]]]);
      });

      it('tells how a vendor slot is booked (on the vendor page, or by phone), and follows a change', async () => {
        const vendorSlot = await events.slot(corsican, 30, 'vendor', ['cabinet'], randomUUID(), 'end-to-end');
        await h.catchUp();
        const modeOf = async () => (await bastia())[0]!.slots.find((x) => x.slotId === vendorSlot)?.bookingMode;
        expect(await modeOf()).toBe('end-to-end');
        expect((await bastia())[0]!.slots.filter((x) => x.source === 'manual').every((x) => x.bookingMode === undefined)).toBe(true);
        await events.changeSlot(corsican, vendorSlot, 30, 'vendor', ['cabinet'], 'phone');
        await h.catchUp();
        expect(await modeOf()).toBe('phone');
        await events.withdraw(corsican, vendorSlot);
        await h.catchUp();
      });

      it('flags the vendor slots their vendor has not confirmed (stale), until it confirms them again', async () => {
        const [vendorSlot, , ] = (await bastia())[0]!.slots.filter((x) => x.source === 'vendor').map((x) => x.slotId);
        expect(vendorSlot).toBeDefined();
        await events.vendorSlots('agenda-x', [vendorSlot!], [corsican], true);
        await h.catchUp();
        const flagged = (await bastia())[0]!.slots;
        expect(flagged.filter((x) => x.stale).map((x) => x.slotId)).toEqual([vendorSlot]);
        expect(flagged.length).toBe(3);
        await events.vendorSlots('agenda-x', [vendorSlot!], [corsican], false);
        await h.catchUp();
        expect((await bastia())[0]!.slots.some((x) => x.stale)).toBe(false);
      });

      it('hides the slots (manual and vendor) an unavailability covers, and shows them again when it is lifted', async () => {
        const all = await slotIds();
        expect(all.length).toBe(3);
        await events.unavailability(corsican, [[0, 6]]); // covers the +2 h and +5 h slots, not the one at +20 h
        await h.catchUp();
        const visible = await search({ place: commune('2B033') });
        expect(visible.flatMap((c) => c.slots.map((s) => s.start))).toEqual([new Date(now + 20 * HOUR).toISOString()]);
        expect(await search({ place: commune('2B033'), onlyAvailable: true, ...window(0, 6) })).toEqual([]);
        await events.unavailability(corsican, [], true);
        await h.catchUp();
        expect((await bastia()).map((c) => [c.group, c.slots.length])).toEqual([['without-slots', 0]]);
        await events.unavailability(corsican, []);
        await h.catchUp();
        expect(await slotIds()).toEqual(all);
      });
    });

    describe('structures (CPTS cards, structure filter)', () => {
      const [tarbes1, tarbes2, tarbes3, lourdes] = [rpps(320), rpps(321), rpps(322), rpps(323)];
      const cpts = 'cpts-bigorre';
      const msp = 'msp-tarbes';

      it.skipIf(options.structures === false)('gives each card the open structures of its practitioner, filters by kind, lists a structure’s members', async () => {
        for (const [id, name, insee] of [[tarbes1, 'Adour', '65440'], [tarbes2, 'Baise', '65440'], [tarbes3, 'Gave', '65440'], [lourdes, 'Pic', '65286']] as const) {
          await events.practitioner({ rpps: id, familyName: name, givenName: 'T', locations: [{ locationId: `l-${id}`, inseeCode: insee }] });
        }
        await events.slot(lourdes, 3, 'manual');
        await events.structure(cpts, 'cpts', 'CPTS de Bigorre', '65440', '0562000000');
        await events.structure(msp, 'msp', 'MSP de Tarbes', '65440', null);
        await events.joinStructure(cpts, tarbes1);
        await events.joinStructure(cpts, lourdes);
        await events.joinStructure(msp, tarbes1);
        await events.joinStructure(msp, tarbes2);
        await h.catchUp();
        const cards = await search({ place: dept('65') });
        const of = (id: string) => cards.find((c) => c.rpps === id)!.structures;
        expect(of(tarbes1)).toEqual([
          { structureId: cpts, kind: 'cpts', name: 'CPTS de Bigorre', phone: '0562000000' },
          { structureId: msp, kind: 'msp', name: 'MSP de Tarbes', phone: null },
        ]);
        expect(of(tarbes3)).toEqual([]);
        expect(set(await search({ place: dept('65'), structureKind: 'cpts' }))).toEqual(new Set([tarbes1, lourdes]));
        expect(set(await search({ place: dept('65'), structureKind: 'msp' }))).toEqual(new Set([tarbes1, tarbes2]));
        expect(await search({ place: dept('65'), structureKind: 'sos-medecins' })).toEqual([]);
        // "Voir tous les professionnels de la CPTS": its members wherever they are, those with slots first.
        expect(rppsOf(await search({ place: { kind: 'structure', structureId: cpts } }))).toEqual([lourdes, tarbes1]);
      });

      it.skipIf(options.structures === false)('follows renamed and closed structures and members who leave', async () => {
        await events.structure(cpts, 'cpts', 'CPTS Bigorre-Adour', '65440', '0562000001', true);
        await events.leaveStructure(msp, tarbes2);
        await events.closeStructure(msp);
        await h.catchUp();
        const cards = await search({ place: dept('65') });
        expect(cards.find((c) => c.rpps === tarbes1)!.structures).toEqual([{ structureId: cpts, kind: 'cpts', name: 'CPTS Bigorre-Adour', phone: '0562000001' }]);
        expect(cards.find((c) => c.rpps === tarbes2)!.structures).toEqual([]);
        expect(await search({ place: dept('65'), structureKind: 'msp' })).toEqual([]);
        expect(await search({ place: { kind: 'structure', structureId: msp } })).toEqual([]);
      });

      it.skipIf(options.structures === false)('gives an SOS Médecins association with a SIRET its own card, with the slots published under its SIRET', async () => {
        const sos = 'sos-bigorre';
        const siret = '73282932000074';
        // Slots its vendor published before the platform knew the association's SIRET show once it does.
        const early = await events.slot(siret, 1, 'vendor', ['cabinet'], randomUUID(), 'phone');
        await events.structure(sos, 'sos-medecins', 'SOS Médecins Bigorre', '65440', '0562000099', false, null);
        await h.catchUp();
        expect(set(await search({ place: dept('65') })).has(siret)).toBe(false);
        await events.structure(sos, 'sos-medecins', 'SOS Médecins Bigorre', '65440', '0562000099', true, siret);
        const late = await events.slot(siret, 5, 'vendor', ['cabinet', 'domicile']);
        await h.catchUp();
        const cards = await search({ place: dept('65') });
        const card = cards.find((c) => c.rpps === siret)!;
        expect(card).toMatchObject({
          locationId: sos,
          givenName: '',
          familyName: '',
          structure: 'SOS Médecins Bigorre',
          phone: '0562000099',
          address: { inseeCode: '65440', commune: 'Tarbes' },
          effecteurStructure: { structureId: sos, kind: 'sos-medecins', name: 'SOS Médecins Bigorre', phone: '0562000099' },
          group: 'with-slots',
        });
        expect(card.slots.map((s) => s.slotId)).toEqual([early, late]);
        expect(cards.filter((c) => c.rpps !== siret).every((c) => c.effecteurStructure === null)).toBe(true);
        // The structure-kind filter, a name, "voir tous" of the association, a consultation type, another filière.
        expect(rppsOf(await search({ place: dept('65'), structureKind: 'sos-medecins' }))).toEqual([siret]);
        expect(rppsOf(await search({ place: dept('65'), name: 'sos medecins bigorre' }))).toEqual([siret]);
        expect(rppsOf(await search({ place: { kind: 'structure', structureId: sos } }))).toEqual([siret]);
        expect(rppsOf(await search({ place: dept('65'), consultationType: 'domicile', onlyAvailable: true }))).toEqual([siret]);
        expect(set(await search({ place: dept('65'), filiere: 'chirurgiens-dentistes' })).has(siret)).toBe(false);
        // A new SIRET moves the card's slots; closing the association removes its card.
        await events.structure(sos, 'sos-medecins', 'SOS Médecins Bigorre', '65440', '0562000099', true, '73282932000082');
        await h.catchUp();
        expect(set(await search({ place: dept('65') })).has(siret)).toBe(false);
        expect((await search({ place: dept('65') })).find((c) => c.rpps === '73282932000082')).toMatchObject({ group: 'without-slots', slots: [] });
        await events.closeStructure(sos);
        await h.catchUp();
        expect((await search({ place: dept('65') })).filter((c) => c.effecteurStructure !== null)).toEqual([]);
      });

      it.skipIf(options.structures !== false)('refuses a search by structure it cannot answer', async () => {
        await expect(search({ place: dept('65'), structureKind: 'cpts' })).rejects.toMatchObject({ problem: { status: 501 } });
        await expect(search({ place: { kind: 'structure', structureId: cpts } })).rejects.toMatchObject({ problem: { status: 501 } });
      });
    });

    describe('SAS participation', () => {
      const AUCH = { lat: 43.6465, lon: 0.5855 };
      // Four places, nearest first: a non-participant with a slot, a participant with a slot, a participant
      // without slot accepting "en sus" (sector 1), a participant with a slot, sector 2, farther.
      const [near, mid, enSus, far] = [rpps(330), rpps(331), rpps(332), rpps(333)];
      const at = (dLat: number) => ({ lat: AUCH.lat + dLat, lon: AUCH.lon });
      const gers = (q: Partial<SearchQuery> = {}) => search({ place: around(AUCH, 20), ...q });

      beforeAll(async () => {
        for (const [id, name, dLat] of [[near, 'Nadal', 0.001], [mid, 'Mirande', 0.01], [enSus, 'Ensus', 0.02], [far, 'Fleurance', 0.05]] as const) {
          await events.practitioner({ rpps: id, familyName: name, givenName: 'G', locations: [{ locationId: `g-${id}`, inseeCode: '32013', geo: at(dLat) }] });
        }
        for (const id of [near, mid, far]) await events.slot(id, 3, 'manual');
        await events.participation(mid, { mode: 'individual', conventionSector: '1' });
        await events.participation(enSus, { mode: 'individual', acceptsEnSus: true, conventionSector: '1' });
        await events.participation(far, { mode: 'individual', conventionSector: '2' });
        await h.catchUp();
      });

      it('shows SAS participants with slots first, then other practitioners with slots, then the rest', async () => {
        const cards = await gers();
        expect(rppsOf(cards)).toEqual([mid, far, near, enSus]);
        expect(cards.map((c) => c.group)).toEqual(['with-slots', 'with-slots', 'with-slots', 'without-slots']);
        expect(cards.map((c) => c.participation?.mode ?? null)).toEqual(['individual', 'individual', null, 'individual']);
        // A zone: each group in its stable random order, participants first.
        const zone = rppsOf(await search({ place: commune('32013'), onlyAvailable: true }));
        expect(new Set(zone.slice(0, 2))).toEqual(new Set([mid, far]));
        expect(zone.slice(2)).toEqual([near]);
        // Pages keep the order.
        const pages = [...(await gers({ limit: 1 })), ...(await gers({ offset: 1, limit: 2 })), ...(await gers({ offset: 3, limit: 2 }))];
        expect(rppsOf(pages)).toEqual([mid, far, near, enSus]);
      });

      it('filters participants accepting patients "en sus", and by secteur de conventionnement', async () => {
        expect(rppsOf(await gers({ acceptsEnSus: true }))).toEqual([enSus]);
        expect(rppsOf(await gers({ conventionSector: '1' }))).toEqual([mid, enSus]);
        expect(rppsOf(await gers({ conventionSector: '2' }))).toEqual([far]);
        expect(await gers({ conventionSector: '3' })).toEqual([]);
      });

      it('follows a withdrawn and a changed participation', async () => {
        await events.participation(mid, null);
        await events.participation(near, { mode: 'individual', acceptsEnSus: true });
        await h.catchUp();
        expect(rppsOf(await gers())).toEqual([near, far, mid, enSus]);
        expect(rppsOf(await gers({ acceptsEnSus: true }))).toEqual([near, enSus]);
        expect((await gers()).find((c) => c.rpps === mid)!.participation).toBeNull();
      });
    });

    describe('street-level positions', () => {
      it('orders by the geocoded position of each place when the directory gives one, else the commune centre', async () => {
        const MONT = { lat: 43.8931, lon: -0.5009 };
        const [near, far, centre] = [rpps(310), rpps(311), rpps(312)];
        await events.practitioner({ rpps: far, familyName: 'Loin', givenName: 'A', locations: [{ locationId: 'far', inseeCode: '40192', geo: { lat: MONT.lat + 0.03, lon: MONT.lon } }] });
        await events.practitioner({ rpps: centre, familyName: 'Centre', givenName: 'B', locations: [{ locationId: 'centre', inseeCode: '40192' }] });
        await events.practitioner({ rpps: near, familyName: 'Pres', givenName: 'C', locations: [{ locationId: 'near', inseeCode: '40192', geo: { lat: MONT.lat - 0.01, lon: MONT.lon } }] });
        await h.catchUp();
        const from = { lat: MONT.lat - 0.012, lon: MONT.lon };
        const cards = await search({ place: around(from, 10) });
        expect(rppsOf(cards)).toEqual([near, centre, far]);
        expect(cards.map((c) => c.distanceKm)).toEqual([0.2, 1.3, 4.7]);
      });
    });

    describe('rebuild', () => {
      it.skipIf(options.rebuild === false)('gives the same results after its projections are rebuilt from the history', async () => {
        const queries = [
          query({ place: dept('31'), seed: 'r1' }),
          query({ place: around(TOULOUSE, 30), treatingRpps: P.richard, seed: 'r2' }),
          query({ place: dept('33'), onlyAvailable: true, ...window(0, 3), seed: 'r3' }),
          query({ place: dept('2A') }),
        ];
        const before = await Promise.all(queries.map((q) => h.engine.search(q)));
        await h.rebuild();
        await h.catchUp();
        expect(await Promise.all(queries.map((q) => h.engine.search(q)))).toEqual(before);
      });
    });

    describe('neutrality', () => {
      it('never lets the source of a slot change the results or their order', async () => {
        const queries: SearchQuery[] = [
          query({ place: dept('33'), seed: 'n1' }),
          query({ place: around(BORDEAUX, 10), seed: 'n2' }),
          query({ place: dept('33'), seed: 'n3', onlyAvailable: true, ...window(0, 3) }),
          query({ place: dept('33'), seed: 'n4', consultationType: 'teleconsultation' }),
          query({ place: around(BORDEAUX, 10), seed: 'n5', offset: 2, limit: 5 }),
        ];
        const withoutSource = (cards: readonly SearchCard[]) => cards.map((c) => ({ ...c, slots: c.slots.map(({ source: _, ...s }) => s) }));
        const baseline = await Promise.all(queries.map(async (q) => withoutSource(await h.engine.search(q))));
        await fc.assert(
          fc.asyncProperty(fc.array(fc.constantFrom<SlotSource>('manual', 'vendor'), { minLength: bordeauxSlots.length, maxLength: bordeauxSlots.length }), async (sources) => {
            // The same slots, re-entered with other sources (withdrawn, then published again under the same id).
            for (const [i, [id, slotId, inHours, types]] of bordeauxSlots.entries()) {
              await events.withdraw(id, slotId);
              await events.slot(id, inHours, sources[i]!, types, slotId);
            }
            await h.catchUp();
            const full = await h.engine.search(queries[0]!);
            for (const [i, [id]] of bordeauxSlots.entries()) {
              expect(full.find((c) => c.rpps === id)!.slots.map((s) => s.source)).toEqual([sources[i]]);
            }
            for (const [i, q] of queries.entries()) expect(withoutSource(await h.engine.search(q))).toEqual(baseline[i]);
          }),
          { numRuns: 6 },
        );
      });
    });
  });
}
