/**
 * The search read model: practitioners, their places of practice (with the commune's coordinates) and their
 * free slots, built from directory events and availability's public slot events. Queried by the SQL search
 * engine (pg-search-engine.ts).
 *
 * Built for speed: a place-of-practice row carries everything a search filters and orders on (filières,
 * specialty, name key, position) and, as multiranges of instants, the start times of the practitioner's free
 * slots, all types and per consultation type. "Has a slot in the window" is then a test on the row itself
 * (`slot_any && tstzrange(from, to)`), with no join and no aggregation over the slot table. After each batch of
 * events the multiranges of the practitioners it touched are recomputed from `search_slots`.
 */
import type { SqlProjection } from '../../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { AvailabilityIntegrationEvent, SlotPublished } from '../../../availability/contracts/availability.events.ts';
import type { DirectoryIntegrationEvent } from '../../contracts/directory.events.ts';
import type { CommuneGeocoder } from '../geocoding/commune-geocoder.ts';
import type { FiliereRegistry } from '../filiere-registry.ts';

export const SEARCH_PROJECTION = 'directory_search';

type Tables = 'search_practitioners' | 'search_locations' | 'search_slots';

export function searchProjection(deps: { geocoder: CommuneGeocoder; filieres: FiliereRegistry }): SqlProjection<Tables> {
  return {
    kind: 'sql',
    name: SEARCH_PROJECTION,
    tables: ['search_practitioners', 'search_locations', 'search_slots'],
    filter: {
      eventTypes: [
        'PractitionerRegistered',
        'PractitionerDetailsChanged',
        'PracticeLocationAdded',
        'PracticeLocationChanged',
        'PracticeLocationClosed',
        'PractitionerDeparted',
        'SlotPublished',
        'SlotWithdrawn',
      ],
    },
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
        await tx.query(`CREATE INDEX ON ${t.search_locations} (insee_code) WHERE ${only}`);
        await tx.query(`CREATE INDEX ON ${t.search_locations} (departement) WHERE ${only}`);
      }
      await tx.query(`CREATE INDEX ON ${t.search_locations} USING gin (name_key gin_trgm_ops)`);
      await tx.query(`CREATE TABLE ${t.search_slots} (
        slot_id            text PRIMARY KEY,
        rpps               text NOT NULL,
        starts_at          timestamptz NOT NULL,
        ends_at            timestamptz NOT NULL,
        consultation_types text[] NOT NULL,
        source             text NOT NULL
      )`);
      await tx.query(`CREATE INDEX ON ${t.search_slots} (rpps, starts_at)`);
    },
    async apply(tx: SqlExecutor, events, t) {
      // Practitioners whose slots or places changed: their slot multiranges are recomputed after the batch.
      const dirty = new Set<string>();
      let published: SlotPublished['data'][] = [];
      const flushPublished = async () => {
        if (published.length === 0) return;
        await tx.query(
          `INSERT INTO ${t.search_slots} (slot_id, rpps, starts_at, ends_at, consultation_types, source)
           SELECT id, rpps, starts_at, ends_at, string_to_array(types, ','), source
             FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[]) AS t(id, rpps, starts_at, ends_at, types, source)
           ON CONFLICT (slot_id) DO NOTHING`,
          [
            published.map((d) => d.slotId),
            published.map((d) => d.effecteurId),
            published.map((d) => d.start),
            published.map((d) => d.end),
            published.map((d) => d.consultationTypes.join(',')),
            published.map((d) => d.source),
          ],
        );
        published = [];
      };
      for (const recorded of events) {
        const event = recorded as unknown as DirectoryIntegrationEvent | AvailabilityIntegrationEvent;
        if (event.type !== 'SlotPublished') await flushPublished();
        switch (event.type) {
          case 'PractitionerRegistered':
          case 'PractitionerDetailsChanged': {
            const p = event.data;
            const filieres = deps.filieres.forProfessional({ professionCode: p.professionCode, specialtyCode: p.specialtyCode });
            await tx.query(
              `INSERT INTO ${t.search_practitioners} (rpps, given_name, family_name, civility, profession_code, specialty_code, specialty_label, filieres, name_key)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
               ON CONFLICT (rpps) DO UPDATE SET given_name = $2, family_name = $3, civility = $4, profession_code = $5, specialty_code = $6,
                 specialty_label = $7, filieres = $8, name_key = $9`,
              [p.rpps, p.givenName, p.familyName, p.civility, p.professionCode, p.specialtyCode, p.specialtyLabel, filieres, nameKey(`${p.familyName} ${p.givenName}`)],
            );
            // A practitioner registered (again) has no place yet: only a change has places to update.
            if (event.type === 'PractitionerDetailsChanged') await tx.query(`UPDATE ${t.search_locations} SET filieres = $2, specialty_code = $3, name_key = $4 WHERE rpps = $1`, [
              p.rpps,
              filieres,
              p.specialtyCode,
              nameKey(`${p.familyName} ${p.givenName}`),
            ]);
            break;
          }
          case 'PracticeLocationAdded':
          case 'PracticeLocationChanged': {
            const l = event.data;
            const commune = l.inseeCode ? deps.geocoder.byInseeCode(l.inseeCode) : undefined;
            // The practitioner's searchable fields are copied from their row (registered before their places).
            await tx.query(
              `INSERT INTO ${t.search_locations} (location_id, rpps, structure, street_number, street_name, postcode, commune, insee_code, departement, phone, lat, lon,
                                                  filieres, specialty_code, name_key)
               SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, coalesce(sp.filieres, '{}'), sp.specialty_code, coalesce(sp.name_key, '')
                 FROM (SELECT 1) one LEFT JOIN ${t.search_practitioners} sp ON sp.rpps = $2
               ON CONFLICT (rpps, location_id) DO UPDATE SET structure = $3, street_number = $4, street_name = $5, postcode = $6, commune = $7,
                 insee_code = $8, departement = $9, phone = $10, lat = $11, lon = $12`,
              [l.locationId, l.rpps, l.structureName, l.streetNumber, l.streetName, l.postcode, commune?.name ?? l.communeName, l.inseeCode, commune?.departement ?? null, l.phone, commune?.point?.lat ?? null, commune?.point?.lon ?? null],
            );
            dirty.add(l.rpps);
            break;
          }
          case 'PracticeLocationClosed':
            await tx.query(`DELETE FROM ${t.search_locations} WHERE rpps = $1 AND location_id = $2`, [event.data.rpps, event.data.locationId]);
            break;
          case 'PractitionerDeparted':
            await tx.query(`DELETE FROM ${t.search_locations} WHERE rpps = $1`, [event.data.rpps]);
            await tx.query(`DELETE FROM ${t.search_practitioners} WHERE rpps = $1`, [event.data.rpps]);
            break;
          case 'SlotPublished':
            // Consecutive publications (a vendor batch, an agenda series) are inserted together below.
            published.push(event.data);
            dirty.add(event.data.effecteurId);
            continue;
          case 'SlotWithdrawn':
            await tx.query(`DELETE FROM ${t.search_slots} WHERE slot_id = $1`, [event.data.slotId]);
            dirty.add(event.data.effecteurId);
            break;
        }
      }
      await flushPublished();
      if (dirty.size > 0) await refreshSlotRanges(tx, t, [...dirty]);
    },
  };
}

/** Recomputes the slot multiranges of some practitioners' places from their free slots. */
async function refreshSlotRanges(tx: SqlExecutor, t: Readonly<Record<Tables, string>>, rpps: readonly string[]): Promise<void> {
  const instant = 'tstzrange(starts_at, starts_at, \'[]\')';
  // FILTER drops the NULL row of a practitioner without slots: tstzrange(NULL, NULL) would be unbounded.
  const agg = (type: string | null) =>
    `coalesce(range_agg(${instant}) FILTER (WHERE s.slot_id IS NOT NULL${type ? ` AND '${type}' = ANY(s.consultation_types)` : ''}), '{}'::tstzmultirange)`;
  await tx.query(
    `UPDATE ${t.search_locations} sl
        SET slot_any = r.slot_any, slot_cabinet = r.slot_cabinet, slot_teleconsultation = r.slot_teleconsultation, slot_domicile = r.slot_domicile
       FROM (SELECT p.rpps, ${agg(null)} AS slot_any, ${agg('cabinet')} AS slot_cabinet, ${agg('teleconsultation')} AS slot_teleconsultation,
                    ${agg('domicile')} AS slot_domicile
               FROM unnest($1::text[]) AS p(rpps) LEFT JOIN ${t.search_slots} s ON s.rpps = p.rpps
              GROUP BY p.rpps) r
      WHERE sl.rpps = r.rpps`,
    [rpps],
  );
}

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
