import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import { PRACTITIONER_STREAM_PREFIX, type DirectoryIntegrationEvent } from '../contracts/directory.events.ts';

export const PRACTITIONERS_PROJECTION = 'directory_practitioners';

/**
 * Read model of the directory (professional, public-register data only): one row per practitioner and one per
 * open place of practice. Every write is an idempotent upsert or delete, so replaying an event is harmless.
 */
export const practitionersProjection: SqlProjection<'directory_practitioners' | 'directory_practice_locations'> = {
  kind: 'sql',
  name: PRACTITIONERS_PROJECTION,
  tables: ['directory_practitioners', 'directory_practice_locations'],
  filter: { streamPrefix: PRACTITIONER_STREAM_PREFIX },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.directory_practitioners} (
      rpps              text PRIMARY KEY,
      national_id       text NOT NULL,
      civility          text,
      given_name        text NOT NULL,
      family_name       text NOT NULL,
      profession_code   text NOT NULL,
      profession_label  text NOT NULL,
      specialty_code    text,
      specialty_label   text,
      status            text NOT NULL,
      position          bigint NOT NULL
    )`);
    await tx.query(`CREATE INDEX ON ${t.directory_practitioners} (profession_code, specialty_code)`);
    await tx.query(`CREATE TABLE ${t.directory_practice_locations} (
      location_id       text NOT NULL,
      rpps              text NOT NULL,
      structure_name    text NOT NULL,
      siret             text,
      finess_site       text,
      street_number     text,
      street_name       text,
      postcode          text,
      commune_name      text,
      insee_code        text,
      phone             text,
      mode_exercice     text,
      secteur_activite  text,
      position          bigint NOT NULL,
      PRIMARY KEY (location_id, rpps)
    )`);
    await tx.query(`CREATE INDEX ON ${t.directory_practice_locations} (rpps)`);
    await tx.query(`CREATE INDEX ON ${t.directory_practice_locations} (insee_code)`);
  },
  async apply(tx: SqlExecutor, events, t) {
    for (const recorded of events) {
      const event = recorded as unknown as DirectoryIntegrationEvent;
      switch (event.type) {
        case 'PractitionerRegistered':
        case 'PractitionerDetailsChanged': {
          const d = event.data;
          await tx.query(
            `INSERT INTO ${t.directory_practitioners}
               (rpps, national_id, civility, given_name, family_name, profession_code, profession_label, specialty_code, specialty_label, status, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10)
             ON CONFLICT (rpps) DO UPDATE SET national_id = EXCLUDED.national_id, civility = EXCLUDED.civility,
               given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name, profession_code = EXCLUDED.profession_code,
               profession_label = EXCLUDED.profession_label, specialty_code = EXCLUDED.specialty_code,
               specialty_label = EXCLUDED.specialty_label,
               status = CASE WHEN $11 THEN 'active' ELSE ${t.directory_practitioners}.status END, position = EXCLUDED.position`,
            [d.rpps, d.nationalId, d.civility, d.givenName, d.familyName, d.professionCode, d.professionLabel, d.specialtyCode, d.specialtyLabel, recorded.position, event.type === 'PractitionerRegistered'],
          );
          break;
        }
        case 'PracticeLocationAdded':
        case 'PracticeLocationChanged': {
          const d = event.data;
          await tx.query(
            `INSERT INTO ${t.directory_practice_locations}
               (location_id, rpps, structure_name, siret, finess_site, street_number, street_name, postcode, commune_name, insee_code, phone, mode_exercice, secteur_activite, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (location_id, rpps) DO UPDATE SET structure_name = EXCLUDED.structure_name, siret = EXCLUDED.siret,
               finess_site = EXCLUDED.finess_site, street_number = EXCLUDED.street_number, street_name = EXCLUDED.street_name,
               postcode = EXCLUDED.postcode, commune_name = EXCLUDED.commune_name, insee_code = EXCLUDED.insee_code,
               phone = EXCLUDED.phone, mode_exercice = EXCLUDED.mode_exercice, secteur_activite = EXCLUDED.secteur_activite,
               position = EXCLUDED.position`,
            [d.locationId, d.rpps, d.structureName, d.siret, d.finessSite, d.streetNumber, d.streetName, d.postcode, d.communeName, d.inseeCode, d.phone, d.modeExercice, d.secteurActivite, recorded.position],
          );
          break;
        }
        case 'PracticeLocationClosed':
          await tx.query(`DELETE FROM ${t.directory_practice_locations} WHERE location_id = $1 AND rpps = $2`, [event.data.locationId, event.data.rpps]);
          break;
        case 'PractitionerDeparted':
          await tx.query(`UPDATE ${t.directory_practitioners} SET status = 'departed', position = $2 WHERE rpps = $1`, [event.data.rpps, recorded.position]);
          await tx.query(`DELETE FROM ${t.directory_practice_locations} WHERE rpps = $1`, [event.data.rpps]);
          break;
      }
    }
  },
};
