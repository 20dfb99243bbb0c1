/**
 * The search read model: practitioners, their places of practice (with the commune's coordinates) and their
 * free slots, built from directory events and availability's public slot events. Queried by the SQL search
 * engine (pg-search-engine.ts). A structure offering a filière itself (an SOS Médecins association with a SIRET)
 * has a place too, under its SIRET in the `rpps` column: the effecteur id its vendor publishes slots under.
 *
 * Built for speed: a place-of-practice row carries everything a search filters and orders on (filières,
 * specialty, name key, position) and, as multiranges of instants, the start times of the practitioner's free
 * slots, all types and per consultation type. "Has a slot in the window" is then a test on the row itself
 * (`slot_any && tstzrange(from, to)`), with no join and no aggregation over the slot table. After each batch of
 * events the multiranges of the practitioners it touched are recomputed from `search_slots`.
 */
import type { SqlProjection } from '../../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import { columns } from '../../../../shared-kernel/sql/columns.ts';
import { AVAILABILITY_EVENT_TYPES, type AvailabilityIntegrationEvent, type SlotPublished } from '../../../availability/contracts/availability.events.ts';
import { VENDOR_STALENESS_EVENT_TYPES, type VendorStalenessEvent } from '../../../availability/contracts/vendor-aggregation.events.ts';
import { PARTICIPATION_EVENT_TYPES, type ParticipationIntegrationEvent } from '../../../participation/contracts/participation.events.ts';
import {
  DIRECTORY_EVENT_TYPES,
  type DirectoryIntegrationEvent,
  type PracticeLocation,
  type StructureDetails,
  type StructureIntegrationEvent,
} from '../../contracts/directory.events.ts';
import type { CommuneGeocoder } from '../geocoding/commune-geocoder.ts';
import type { FiliereRegistry } from '../filiere-registry.ts';

export const SEARCH_PROJECTION = 'directory_search';

type Tables =
  | 'search_practitioners'
  | 'search_locations'
  | 'search_slots'
  | 'search_unavailability'
  | 'search_structures'
  | 'search_structure_members'
  | 'search_participation';

export function searchProjection(deps: { geocoder: CommuneGeocoder; filieres: FiliereRegistry }): SqlProjection<Tables> {
  return {
    kind: 'sql',
    name: SEARCH_PROJECTION,
    tables: ['search_practitioners', 'search_locations', 'search_slots', 'search_unavailability', 'search_structures', 'search_structure_members', 'search_participation'],
    // 2: street-level positions, bookings (remaining places), unavailability, structures (CPTS cards and filter).
    // 3: stale vendor slots (flagged). 4: the place's fixed random rank (`shuffle`) for zone searches.
    // 5: participation (participants first, "en sus", sector). 6: a vendor slot's booking mode.
    // 7: structures offering a filière themselves (SOS Médecins) have a place, keyed by their SIRET.
    version: 7,
    // Larger batches than the default: a catch-up writes runs of thousands of rows per statement.
    batchSize: 2000,
    filter: { eventTypes: [...SEARCH_EVENT_TYPES, 'StructureRegistered', 'StructureDetailsChanged', 'StructureClosed', 'StructureMemberJoined', 'StructureMemberLeft'] },
    async createTables(tx, t) {
      await tx.query('CREATE EXTENSION IF NOT EXISTS cube');
      await tx.query('CREATE EXTENSION IF NOT EXISTS earthdistance');
      await tx.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
      await tx.query(`CREATE TABLE ${t.search_practitioners} (
        rpps            text PRIMARY KEY,
        given_name      text NOT NULL,
        family_name     text NOT NULL,
        civility        text,
        profession_code text NOT NULL,
        specialty_code  text,
        specialty_label text,
        filieres        text[] NOT NULL,
        name_key        text NOT NULL
      )`);
      await tx.query(`CREATE INDEX ON ${t.search_practitioners} USING gin (filieres)`);
      await tx.query(`CREATE INDEX ON ${t.search_practitioners} USING gin (name_key gin_trgm_ops)`);
      await tx.query(`CREATE TABLE ${t.search_locations} (
        location_id   text NOT NULL,
        rpps          text NOT NULL,
        filieres      text[] NOT NULL DEFAULT '{}',
        specialty_code text,
        name_key      text NOT NULL DEFAULT '',
        structure     text,
        street_number text,
        street_name   text,
        postcode      text,
        commune       text,
        insee_code    text,
        departement   text,
        phone         text,
        lat           double precision,
        lon           double precision,
        slot_any      tstzmultirange NOT NULL DEFAULT '{}',
        slot_cabinet  tstzmultirange NOT NULL DEFAULT '{}',
        slot_teleconsultation tstzmultirange NOT NULL DEFAULT '{}',
        slot_domicile tstzmultirange NOT NULL DEFAULT '{}',
        -- a fixed pseudo-random rank in [0, 1) (SHUFFLE_SQL): a zone search reads its places from a seeded point of it
        shuffle       double precision NOT NULL,
        -- the practitioner's SAS participation (ParticipationDeclared), copied on each of its places
        participant    boolean NOT NULL DEFAULT false,
        accepts_en_sus boolean NOT NULL DEFAULT false,
        sector         text,
        PRIMARY KEY (rpps, location_id)
      )`);
      await tx.query(`CREATE INDEX ON ${t.search_locations} USING gist (ll_to_earth(lat, lon)) WHERE lat IS NOT NULL`);
      await tx.query(`CREATE INDEX ON ${t.search_locations} (insee_code)`);
      await tx.query(`CREATE INDEX ON ${t.search_locations} (departement)`);
      // One partial index per filière and kind of place: a search reads only its filière's places. (Adding a
      // filière means rebuilding this projection anyway: a place's filières are computed when it is projected.)
      for (const filiere of deps.filieres.all()) {
        const only = `${filiereCondition(filiere.id, 'filieres')}`;
        await tx.query(`CREATE INDEX ON ${t.search_locations} USING gist (ll_to_earth(lat, lon)) WHERE lat IS NOT NULL AND ${only}`);
        await tx.query(`CREATE INDEX ON ${t.search_locations} (insee_code, shuffle) WHERE ${only}`);
        await tx.query(`CREATE INDEX ON ${t.search_locations} (departement, shuffle) WHERE ${only}`);
        // The same for the SAS participants alone: their group comes first and may be sparse, so it must not be
        // found by walking every place of the radius or the zone.
        await tx.query(`CREATE INDEX ON ${t.search_locations} USING gist (ll_to_earth(lat, lon)) WHERE lat IS NOT NULL AND ${only} AND participant`);
        await tx.query(`CREATE INDEX ON ${t.search_locations} (insee_code, shuffle) WHERE ${only} AND participant`);
        await tx.query(`CREATE INDEX ON ${t.search_locations} (departement, shuffle) WHERE ${only} AND participant`);
      }
      await tx.query(`CREATE INDEX ON ${t.search_locations} USING gin (name_key gin_trgm_ops)`);
      await tx.query(`CREATE TABLE ${t.search_slots} (
        slot_id            text PRIMARY KEY,
        rpps               text NOT NULL,
        starts_at          timestamptz NOT NULL,
        ends_at            timestamptz NOT NULL,
        consultation_types text[] NOT NULL,
        source             text NOT NULL,
        remaining          integer NOT NULL DEFAULT 1,
        -- a vendor slot its vendor has not confirmed for longer than its stale TTL (VendorSlotsStale): shown, flagged
        stale              boolean NOT NULL DEFAULT false,
        -- a vendor slot: booked through the vendor's page (end-to-end) or by phone; null for a manual slot
        booking_mode       text
      )`);
      await tx.query(`CREATE INDEX ON ${t.search_slots} (rpps, starts_at)`);
      // The effecteur's declared unavailability (UnavailabilityDeclared replaces the row).
      await tx.query(`CREATE TABLE ${t.search_unavailability} (
        rpps       text PRIMARY KEY,
        periods    tstzmultirange NOT NULL,
        indefinite boolean NOT NULL
      )`);
      // Open structures (CPTS, MSP, centres de santé, SOS Médecins) and their members: the CPTS card of a result
      // and the structure filter.
      await tx.query(`CREATE TABLE ${t.search_structures} (
        structure_id text PRIMARY KEY,
        kind         text NOT NULL,
        name         text NOT NULL,
        -- the SIRET its vendor publishes slots under: with a kind some filière lists, the structure has a place
        siret        text,
        phone        text,
        insee_code   text,
        postcode     text
      )`);
      await tx.query(`CREATE TABLE ${t.search_structure_members} (
        structure_id text NOT NULL,
        rpps         text NOT NULL,
        kind         text NOT NULL,
        PRIMARY KEY (structure_id, rpps)
      )`);
      await tx.query(`CREATE INDEX ON ${t.search_structure_members} (rpps, kind)`);
      await tx.query(`CREATE TABLE ${t.search_participation} (
        rpps           text PRIMARY KEY,
        mode           text NOT NULL,
        structure_id   text,
        accepts_en_sus boolean NOT NULL,
        sector         text
      )`);
    },
    async apply(tx: SqlExecutor, events, t) {
      // Practitioners whose slots, places or unavailability changed: their slot multiranges are recomputed after
      // the batch. Runs of consecutive events of one kind are written together (a catch-up over millions of
      // events, a vendor batch, an agenda series): one statement per run, not per event.
      const dirty = new Set<string>();
      const practitioners = new Map<string, PractitionerRow>();
      const changedPractitioners = new Set<string>();
      const locations = new Map<string, LocationRow>();
      let published: SlotPublished['data'][] = [];
      let withdrawn: string[] = [];
      const flush = async () => {
        if (practitioners.size > 0) {
          const rows = [...practitioners.values()];
          await tx.query(
            `INSERT INTO ${t.search_practitioners} (rpps, given_name, family_name, civility, profession_code, specialty_code, specialty_label, filieres, name_key)
             SELECT rpps, given_name, family_name, civility, profession_code, specialty_code, specialty_label, string_to_array(filieres, ','), name_key
               FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                    AS r(rpps, given_name, family_name, civility, profession_code, specialty_code, specialty_label, filieres, name_key)
             ON CONFLICT (rpps) DO UPDATE SET given_name = excluded.given_name, family_name = excluded.family_name, civility = excluded.civility,
               profession_code = excluded.profession_code, specialty_code = excluded.specialty_code, specialty_label = excluded.specialty_label,
               filieres = excluded.filieres, name_key = excluded.name_key`,
            columns(rows, ['rpps', 'givenName', 'familyName', 'civility', 'professionCode', 'specialtyCode', 'specialtyLabel', 'filieres', 'nameKey']),
          );
          practitioners.clear();
        }
        if (changedPractitioners.size > 0) {
          // A practitioner's searchable fields are copied onto their places.
          await tx.query(
            `UPDATE ${t.search_locations} sl SET filieres = sp.filieres, specialty_code = sp.specialty_code, name_key = sp.name_key
               FROM ${t.search_practitioners} sp WHERE sp.rpps = sl.rpps AND sl.rpps = ANY($1::text[])`,
            [[...changedPractitioners]],
          );
          changedPractitioners.clear();
        }
        if (locations.size > 0) {
          const rows = [...locations.values()];
          // The practitioner's searchable fields are copied from their row (registered before their places).
          await tx.query(
            `INSERT INTO ${t.search_locations} (location_id, rpps, structure, street_number, street_name, postcode, commune, insee_code, departement, phone, lat, lon,
                                                filieres, specialty_code, name_key, shuffle, participant, accepts_en_sus, sector)
             SELECT r.location_id, r.rpps, r.structure, r.street_number, r.street_name, r.postcode, r.commune, r.insee_code, r.departement, r.phone, r.lat, r.lon,
                    coalesce(sp.filieres, '{}'), sp.specialty_code, coalesce(sp.name_key, ''), ${SHUFFLE_SQL('r')},
                    pa.rpps IS NOT NULL, coalesce(pa.accepts_en_sus, false), pa.sector
               FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                           $11::float8[], $12::float8[])
                    AS r(location_id, rpps, structure, street_number, street_name, postcode, commune, insee_code, departement, phone, lat, lon)
               LEFT JOIN ${t.search_practitioners} sp ON sp.rpps = r.rpps
               LEFT JOIN ${t.search_participation} pa ON pa.rpps = r.rpps
             ON CONFLICT (rpps, location_id) DO UPDATE SET structure = excluded.structure, street_number = excluded.street_number,
               street_name = excluded.street_name, postcode = excluded.postcode, commune = excluded.commune, insee_code = excluded.insee_code,
               departement = excluded.departement, phone = excluded.phone, lat = excluded.lat, lon = excluded.lon`,
            columns(rows, ['locationId', 'rpps', 'structure', 'streetNumber', 'streetName', 'postcode', 'commune', 'inseeCode', 'departement', 'phone', 'lat', 'lon']),
          );
          locations.clear();
        }
        if (published.length > 0) {
          await tx.query(
            `INSERT INTO ${t.search_slots} (slot_id, rpps, starts_at, ends_at, consultation_types, source, booking_mode)
             SELECT id, rpps, starts_at, ends_at, string_to_array(types, ','), source, booking_mode
               FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::text[])
                    AS t(id, rpps, starts_at, ends_at, types, source, booking_mode)
             ON CONFLICT (slot_id) DO NOTHING`,
            [
              published.map((d) => d.slotId),
              published.map((d) => d.effecteurId),
              published.map((d) => d.start),
              published.map((d) => d.end),
              published.map((d) => d.consultationTypes.join(',')),
              published.map((d) => d.source),
              published.map((d) => d.bookingMode ?? null),
            ],
          );
          published = [];
        }
        if (withdrawn.length > 0) {
          await tx.query(`DELETE FROM ${t.search_slots} WHERE slot_id = ANY($1::text[])`, [withdrawn]);
          withdrawn = [];
        }
      };
      /** What may wait in the buffers before the next event: a different kind of write flushes them first. */
      let buffered: 'directory' | 'published' | 'withdrawn' | null = null;
      const buffer = async (kind: NonNullable<typeof buffered>) => {
        if (buffered !== kind) await flush();
        buffered = kind;
      };
      for (const recorded of events) {
        const event = recorded as unknown as
          | DirectoryIntegrationEvent
          | StructureIntegrationEvent
          | AvailabilityIntegrationEvent
          | VendorStalenessEvent
          | ParticipationIntegrationEvent;
        switch (event.type) {
          case 'PractitionerRegistered':
          case 'PractitionerDetailsChanged': {
            await buffer('directory');
            const p = event.data;
            // Places already written in this run take the new fields from the update below.
            practitioners.set(p.rpps, {
              rpps: p.rpps,
              givenName: p.givenName,
              familyName: p.familyName,
              civility: p.civility,
              professionCode: p.professionCode,
              specialtyCode: p.specialtyCode,
              specialtyLabel: p.specialtyLabel,
              filieres: deps.filieres.forProfessional({ professionCode: p.professionCode, specialtyCode: p.specialtyCode }).join(','),
              nameKey: nameKey(`${p.familyName} ${p.givenName}`),
            });
            changedPractitioners.add(p.rpps);
            break;
          }
          case 'PracticeLocationAdded':
          case 'PracticeLocationChanged': {
            await buffer('directory');
            const l = event.data;
            locations.set(`${l.rpps}|${l.locationId}`, { ...searchablePlace(l, deps.geocoder), rpps: l.rpps });
            dirty.add(l.rpps);
            break;
          }
          case 'PracticeLocationClosed':
            await buffer('directory');
            await flush();
            await tx.query(`DELETE FROM ${t.search_locations} WHERE rpps = $1 AND location_id = $2`, [event.data.rpps, event.data.locationId]);
            break;
          case 'PractitionerDeparted':
            await buffer('directory');
            await flush();
            await tx.query(`DELETE FROM ${t.search_locations} WHERE rpps = $1`, [event.data.rpps]);
            await tx.query(`DELETE FROM ${t.search_practitioners} WHERE rpps = $1`, [event.data.rpps]);
            break;
          case 'SlotPublished':
            await buffer('published');
            published.push(event.data);
            dirty.add(event.data.effecteurId);
            break;
          case 'SlotWithdrawn':
            await buffer('withdrawn');
            withdrawn.push(event.data.slotId);
            dirty.add(event.data.effecteurId);
            break;
          case 'SlotChanged': {
            await buffer('published');
            await flush();
            const d = event.data;
            await tx.query(
              `UPDATE ${t.search_slots} SET starts_at = $2, ends_at = $3, consultation_types = $4, source = $5, booking_mode = $6 WHERE slot_id = $1`,
              [d.slotId, d.start, d.end, [...d.consultationTypes], d.source, d.bookingMode ?? null],
            );
            dirty.add(d.effecteurId);
            break;
          }
          case 'SlotBooked':
          case 'BookingCancelled':
            // A booked slot (no place left) leaves search; a cancellation brings it back.
            await buffer('published');
            await flush();
            await tx.query(`UPDATE ${t.search_slots} SET remaining = $2 WHERE slot_id = $1`, [event.data.slotId, event.data.remainingPlaces]);
            dirty.add(event.data.effecteurId);
            break;
          case 'VendorSlotsStale':
          case 'VendorSlotsRefreshed':
            await buffer('published');
            await flush();
            await tx.query(`UPDATE ${t.search_slots} SET stale = $2 WHERE slot_id = ANY($1::text[])`, [event.data.slotIds, event.type === 'VendorSlotsStale']);
            break;
          case 'ParticipationDeclared': {
            await buffer('directory');
            await flush();
            const d = event.data;
            await tx.query(
              `INSERT INTO ${t.search_participation} (rpps, mode, structure_id, accepts_en_sus, sector) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (rpps) DO UPDATE SET mode = excluded.mode, structure_id = excluded.structure_id, accepts_en_sus = excluded.accepts_en_sus,
                 sector = excluded.sector`,
              [d.effecteurId, d.mode, d.structureId, d.acceptsEnSus, d.conventionSector],
            );
            await tx.query(`UPDATE ${t.search_locations} SET participant = true, accepts_en_sus = $2, sector = $3 WHERE rpps = $1`, [d.effecteurId, d.acceptsEnSus, d.conventionSector]);
            break;
          }
          case 'ParticipationWithdrawn':
            await buffer('directory');
            await flush();
            await tx.query(`DELETE FROM ${t.search_participation} WHERE rpps = $1`, [event.data.effecteurId]);
            await tx.query(`UPDATE ${t.search_locations} SET participant = false, accepts_en_sus = false, sector = NULL WHERE rpps = $1`, [event.data.effecteurId]);
            break;
          case 'StructureRegistered':
          case 'StructureDetailsChanged': {
            await buffer('directory');
            await flush();
            const d = event.data;
            const siret = d.siret ?? null;
            await removeStructurePlace(tx, t, d.structureId);
            await tx.query(
              `INSERT INTO ${t.search_structures} (structure_id, kind, name, siret, phone, insee_code, postcode) VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (structure_id) DO UPDATE SET kind = excluded.kind, name = excluded.name, siret = excluded.siret, phone = excluded.phone,
                 insee_code = excluded.insee_code, postcode = excluded.postcode`,
              [d.structureId, d.kind, d.name, siret, d.phone, d.address.inseeCode, d.address.postcode],
            );
            await tx.query(`UPDATE ${t.search_structure_members} SET kind = $2 WHERE structure_id = $1`, [d.structureId, d.kind]);
            const filieres = siret ? deps.filieres.forStructure(d.kind) : [];
            if (siret && filieres.length > 0) {
              // The structure's own place: its slots are published under its SIRET, which stands for an RPPS here. It
              // is also listed as a "member" of itself, for the structure-kind filter and "voir tous les professionnels".
              const place = structurePlace(d, deps.geocoder);
              await tx.query(
                `INSERT INTO ${t.search_locations} (location_id, rpps, filieres, name_key, structure, street_number, street_name, postcode, commune, insee_code,
                                                    departement, phone, lat, lon, shuffle, participant, accepts_en_sus, sector)
                 SELECT r.location_id, r.rpps, $3::text[], $4, $5, NULL, $6, $7, $8, $9, $10, $11, $12, $13, ${SHUFFLE_SQL('r')},
                        pa.rpps IS NOT NULL, coalesce(pa.accepts_en_sus, false), pa.sector
                   FROM (VALUES ($1::text, $2::text)) AS r(location_id, rpps) LEFT JOIN ${t.search_participation} pa ON pa.rpps = r.rpps`,
                [d.structureId, siret, filieres, nameKey(d.name), d.name, place.streetName, place.postcode, place.commune, place.inseeCode, place.departement, place.phone, place.lat, place.lon],
              );
              await tx.query(
                `INSERT INTO ${t.search_structure_members} (structure_id, rpps, kind) VALUES ($1, $2, $3) ON CONFLICT (structure_id, rpps) DO UPDATE SET kind = excluded.kind`,
                [d.structureId, siret, d.kind],
              );
              dirty.add(siret);
            }
            break;
          }
          case 'StructureClosed':
            await buffer('directory');
            await flush();
            await removeStructurePlace(tx, t, event.data.structureId);
            // A closed structure's memberships end with it.
            await tx.query(`DELETE FROM ${t.search_structure_members} WHERE structure_id = $1`, [event.data.structureId]);
            await tx.query(`DELETE FROM ${t.search_structures} WHERE structure_id = $1`, [event.data.structureId]);
            break;
          case 'StructureMemberJoined':
            await tx.query(
              `INSERT INTO ${t.search_structure_members} (structure_id, rpps, kind) SELECT structure_id, $2, kind FROM ${t.search_structures} WHERE structure_id = $1
               ON CONFLICT DO NOTHING`,
              [event.data.structureId, event.data.rpps],
            );
            break;
          case 'StructureMemberLeft':
            await tx.query(`DELETE FROM ${t.search_structure_members} WHERE structure_id = $1 AND rpps = $2`, [event.data.structureId, event.data.rpps]);
            break;
          case 'UnavailabilityDeclared': {
            const d = event.data;
            const periods = `{${d.periods.map((p) => `[${p.start},${p.end})`).join(',')}}`;
            await tx.query(
              `INSERT INTO ${t.search_unavailability} (rpps, periods, indefinite) VALUES ($1, $2::tstzmultirange, $3)
               ON CONFLICT (rpps) DO UPDATE SET periods = excluded.periods, indefinite = excluded.indefinite`,
              [d.effecteurId, periods, d.indefinite],
            );
            dirty.add(d.effecteurId);
            break;
          }
        }
      }
      await flush();
      if (dirty.size > 0) await refreshSlotRanges(tx, t, [...dirty]);
    },
  };
}

type PractitionerRow = {
  rpps: string;
  givenName: string;
  familyName: string;
  civility: string | null;
  professionCode: string;
  specialtyCode: string | null;
  specialtyLabel: string | null;
  filieres: string;
  nameKey: string;
};
type LocationRow = SearchablePlace & { rpps: string };

/**
 * The event types both search read models follow (the SQL one also follows structures). From the modules' public
 * contracts: directory, availability (slots, bookings, unavailability), vendor staleness, participation.
 */
export const SEARCH_EVENT_TYPES = [
  ...DIRECTORY_EVENT_TYPES,
  ...AVAILABILITY_EVENT_TYPES,
  ...VENDOR_STALENESS_EVENT_TYPES,
  ...PARTICIPATION_EVENT_TYPES,
] as const;

/** What search shows of a place of practice: its address, the commune's name and département, its position. */
export type SearchablePlace = {
  readonly locationId: string;
  readonly structure: string;
  readonly streetNumber: string | null;
  readonly streetName: string | null;
  readonly postcode: string | null;
  readonly commune: string | null;
  readonly inseeCode: string | null;
  readonly departement: string | null;
  readonly phone: string | null;
  readonly lat: number | null;
  readonly lon: number | null;
};

/** A place as searched: the street-level position when geocoded, else the commune's centre. */
export function searchablePlace(l: PracticeLocation, geocoder: Pick<CommuneGeocoder, 'byInseeCode'>): SearchablePlace {
  const commune = l.inseeCode ? geocoder.byInseeCode(l.inseeCode) : undefined;
  return {
    locationId: l.locationId,
    structure: l.structureName,
    streetNumber: l.streetNumber,
    streetName: l.streetName,
    postcode: l.postcode,
    commune: commune?.name ?? l.communeName,
    inseeCode: l.inseeCode,
    departement: commune?.departement ?? null,
    phone: l.phone,
    lat: l.geo?.lat ?? commune?.point?.lat ?? null,
    lon: l.geo?.lon ?? commune?.point?.lon ?? null,
  };
}

/** A structure's own place as search shows it: its address, at the commune's centre. */
export function structurePlace(d: StructureDetails, geocoder: Pick<CommuneGeocoder, 'byInseeCode'>): SearchablePlace {
  const commune = geocoder.byInseeCode(d.address.inseeCode);
  return {
    locationId: d.structureId,
    structure: d.name,
    streetNumber: null,
    streetName: d.address.street,
    postcode: d.address.postcode,
    commune: commune?.name ?? null,
    inseeCode: d.address.inseeCode,
    departement: commune?.departement ?? null,
    phone: d.phone,
    lat: commune?.point?.lat ?? null,
    lon: commune?.point?.lon ?? null,
  };
}

/** Removes a structure's own place (under the SIRET it had) and its membership of itself, if it had one. */
async function removeStructurePlace(tx: SqlExecutor, t: Readonly<Record<Tables, string>>, structureId: string): Promise<void> {
  const { rows } = await tx.query<{ siret: string | null }>(`SELECT siret FROM ${t.search_structures} WHERE structure_id = $1`, [structureId]);
  const siret = rows[0]?.siret;
  if (!siret) return;
  await tx.query(`DELETE FROM ${t.search_locations} WHERE rpps = $1 AND location_id = $2`, [siret, structureId]);
  await tx.query(`DELETE FROM ${t.search_structure_members} WHERE structure_id = $1 AND rpps = $2`, [structureId, siret]);
}

/**
 * Slots a regulator may see, as a condition on `s` (search_slots) and `u` (the practitioner's
 * search_unavailability row, LEFT JOINed): a place left, and not covered by a declared unavailability.
 */
export const VISIBLE_SLOT = `s.remaining > 0 AND (u.rpps IS NULL OR (NOT u.indefinite AND NOT (u.periods && tstzrange(s.starts_at, s.ends_at))))`;

/** Recomputes the slot multiranges of some practitioners' places from their visible free slots. */
async function refreshSlotRanges(tx: SqlExecutor, t: Readonly<Record<Tables, string>>, rpps: readonly string[]): Promise<void> {
  const instant = 'tstzrange(s.starts_at, s.starts_at, \'[]\')';
  // FILTER drops the NULL row of a practitioner without slots: tstzrange(NULL, NULL) would be unbounded.
  const agg = (type: string | null) =>
    `coalesce(range_agg(${instant}) FILTER (WHERE s.slot_id IS NOT NULL AND ${VISIBLE_SLOT}${type ? ` AND '${type}' = ANY(s.consultation_types)` : ''}), '{}'::tstzmultirange)`;
  await tx.query(
    `UPDATE ${t.search_locations} sl
        SET slot_any = r.slot_any, slot_cabinet = r.slot_cabinet, slot_teleconsultation = r.slot_teleconsultation, slot_domicile = r.slot_domicile
       FROM (SELECT p.rpps, ${agg(null)} AS slot_any, ${agg('cabinet')} AS slot_cabinet, ${agg('teleconsultation')} AS slot_teleconsultation,
                    ${agg('domicile')} AS slot_domicile
               FROM unnest($1::text[]) AS p(rpps) LEFT JOIN ${t.search_slots} s ON s.rpps = p.rpps
                    LEFT JOIN ${t.search_unavailability} u ON u.rpps = p.rpps
              GROUP BY p.rpps) r
      WHERE sl.rpps = r.rpps
        AND (sl.slot_any <> r.slot_any OR sl.slot_cabinet <> r.slot_cabinet OR sl.slot_teleconsultation <> r.slot_teleconsultation
             OR sl.slot_domicile <> r.slot_domicile)`,
    [rpps],
  );
}

/**
 * The fixed pseudo-random rank of a place in [0, 1): the first 52 bits of md5(`rpps:locationId`) over 2^52 — exact in
 * a float8 and in a JavaScript number (`placeShuffle` computes the same value).
 */
export const SHUFFLE_SQL = (row: string) => `(('x' || substr(md5(${row}.rpps || ':' || ${row}.location_id), 1, 13))::bit(52)::bigint)::float8 / 4503599627370496.0`;

/**
 * `'<filière>' = ANY(<column>)` with the id as a literal, so that the planner can use the filière's partial
 * indexes (a bound parameter would hide the value from it). Ids are checked: lower-case letters, digits, hyphens.
 */
export function filiereCondition(filiereId: string, column: string): string {
  if (!/^[a-z0-9-]{1,60}$/.test(filiereId)) throw new RangeError(`Invalid filière id "${filiereId}"`);
  return `'${filiereId}' = ANY(${column})`;
}

/** Lower case, no accents: what a name search compares. */
export const nameKey = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
