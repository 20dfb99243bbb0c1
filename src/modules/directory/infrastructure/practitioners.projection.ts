import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import { columns } from '../../../shared-kernel/sql/columns.ts';
import { PRACTITIONER_STREAM_PREFIX, type DirectoryIntegrationEvent, type PracticeLocation, type PractitionerIdentity } from '../contracts/directory.events.ts';

export const PRACTITIONERS_PROJECTION = 'directory_practitioners';

type PractitionerRow = PractitionerIdentity & { readonly position: number; readonly registered: boolean };
type LocationRow = PracticeLocation & { readonly rpps: string; readonly position: number };

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
  // Larger batches than the default: a catch-up writes runs of registrations and places in one statement each.
  batchSize: 2000,
  async apply(tx: SqlExecutor, events, t) {
    // Runs of upserts are written together; the last event of a row wins, as one by one. A registration in the run
    // makes the practitioner active again; a details change alone keeps their status.
    const practitioners = new Map<string, PractitionerRow>();
    const locations = new Map<string, LocationRow>();
    const flush = async () => {
      if (practitioners.size > 0) {
        const rows = [...practitioners.values()];
        await tx.query(
          `INSERT INTO ${t.directory_practitioners}
             (rpps, national_id, civility, given_name, family_name, profession_code, profession_label, specialty_code, specialty_label, status, position)
           SELECT rpps, national_id, civility, given_name, family_name, profession_code, profession_label, specialty_code, specialty_label, 'active', position
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[])
                  AS r(rpps, national_id, civility, given_name, family_name, profession_code, profession_label, specialty_code, specialty_label, position)
           ON CONFLICT (rpps) DO UPDATE SET national_id = EXCLUDED.national_id, civility = EXCLUDED.civility,
             given_name = EXCLUDED.given_name, family_name = EXCLUDED.family_name, profession_code = EXCLUDED.profession_code,
             profession_label = EXCLUDED.profession_label, specialty_code = EXCLUDED.specialty_code,
             specialty_label = EXCLUDED.specialty_label, position = EXCLUDED.position`,
          columns(rows, ['rpps', 'nationalId', 'civility', 'givenName', 'familyName', 'professionCode', 'professionLabel', 'specialtyCode', 'specialtyLabel', 'position']),
        );
        const registered = rows.filter((r) => r.registered).map((r) => r.rpps);
        if (registered.length > 0) {
          await tx.query(`UPDATE ${t.directory_practitioners} SET status = 'active' WHERE rpps = ANY($1::text[]) AND status <> 'active'`, [registered]);
        }
        practitioners.clear();
      }
      if (locations.size > 0) {
        await tx.query(
          `INSERT INTO ${t.directory_practice_locations}
             (location_id, rpps, structure_name, siret, finess_site, street_number, street_name, postcode, commune_name, insee_code, phone, mode_exercice, secteur_activite, position)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                                $11::text[], $12::text[], $13::text[], $14::bigint[])
           ON CONFLICT (location_id, rpps) DO UPDATE SET structure_name = EXCLUDED.structure_name, siret = EXCLUDED.siret,
             finess_site = EXCLUDED.finess_site, street_number = EXCLUDED.street_number, street_name = EXCLUDED.street_name,
             postcode = EXCLUDED.postcode, commune_name = EXCLUDED.commune_name, insee_code = EXCLUDED.insee_code,
             phone = EXCLUDED.phone, mode_exercice = EXCLUDED.mode_exercice, secteur_activite = EXCLUDED.secteur_activite,
             position = EXCLUDED.position`,
          columns([...locations.values()], ['locationId', 'rpps', 'structureName', 'siret', 'finessSite', 'streetNumber', 'streetName', 'postcode', 'communeName', 'inseeCode', 'phone', 'modeExercice', 'secteurActivite', 'position']),
        );
        locations.clear();
      }
    };
    for (const recorded of events) {
      const event = recorded as unknown as DirectoryIntegrationEvent;
      switch (event.type) {
        case 'PractitionerRegistered':
        case 'PractitionerDetailsChanged': {
          const d = event.data;
          const registered = event.type === 'PractitionerRegistered' || practitioners.get(d.rpps)?.registered === true;
          practitioners.set(d.rpps, { ...d, position: recorded.position, registered });
          break;
        }
        case 'PracticeLocationAdded':
        case 'PracticeLocationChanged': {
          const d = event.data;
          locations.set(`${d.locationId}\u0000${d.rpps}`, { ...d, position: recorded.position });
          break;
        }
        case 'PracticeLocationClosed':
          await flush();
          await tx.query(`DELETE FROM ${t.directory_practice_locations} WHERE location_id = $1 AND rpps = $2`, [event.data.locationId, event.data.rpps]);
          break;
        case 'PractitionerDeparted':
          await flush();
          await tx.query(`UPDATE ${t.directory_practitioners} SET status = 'departed', position = $2 WHERE rpps = $1`, [event.data.rpps, recorded.position]);
          await tx.query(`DELETE FROM ${t.directory_practice_locations} WHERE rpps = $1`, [event.data.rpps]);
          break;
      }
    }
    await flush();
  },
};
