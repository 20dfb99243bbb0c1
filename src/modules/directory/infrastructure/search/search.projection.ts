/**
 * The search read model: practitioners, their places of practice (with the commune's coordinates) and their
 * free slots, built from directory events and availability's public slot events. Queried by the PostgreSQL
 * search engine (pg-search-engine.ts); the same events will feed the Meilisearch adapter.
 */
import type { SqlProjection } from '../../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { AvailabilityIntegrationEvent } from '../../../availability/contracts/availability.events.ts';
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
        PRIMARY KEY (rpps, location_id)
      )`);
      await tx.query(`CREATE INDEX ON ${t.search_locations} USING gist (ll_to_earth(lat, lon)) WHERE lat IS NOT NULL`);
      await tx.query(`CREATE INDEX ON ${t.search_locations} (insee_code)`);
      await tx.query(`CREATE INDEX ON ${t.search_locations} (departement)`);
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
      for (const recorded of events) {
        const event = recorded as unknown as DirectoryIntegrationEvent | AvailabilityIntegrationEvent;
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
            break;
          }
          case 'PracticeLocationAdded':
          case 'PracticeLocationChanged': {
            const l = event.data;
            const commune = l.inseeCode ? deps.geocoder.byInseeCode(l.inseeCode) : undefined;
            await tx.query(
              `INSERT INTO ${t.search_locations} (location_id, rpps, structure, street_number, street_name, postcode, commune, insee_code, departement, phone, lat, lon)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
               ON CONFLICT (rpps, location_id) DO UPDATE SET structure = $3, street_number = $4, street_name = $5, postcode = $6, commune = $7,
                 insee_code = $8, departement = $9, phone = $10, lat = $11, lon = $12`,
              [l.locationId, l.rpps, l.structureName, l.streetNumber, l.streetName, l.postcode, commune?.name ?? l.communeName, l.inseeCode, commune?.departement ?? null, l.phone, commune?.point?.lat ?? null, commune?.point?.lon ?? null],
            );
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
            await tx.query(
              `INSERT INTO ${t.search_slots} (slot_id, rpps, starts_at, ends_at, consultation_types, source) VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (slot_id) DO NOTHING`,
              [event.data.slotId, event.data.effecteurId, event.data.start, event.data.end, event.data.consultationTypes, event.data.source],
            );
            break;
          case 'SlotWithdrawn':
            await tx.query(`DELETE FROM ${t.search_slots} WHERE slot_id = $1`, [event.data.slotId]);
            break;
        }
      }
    },
  };
}

/** Lower case, no accents: what a name search compares. */
export const nameKey = (text: string) =>
  text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
