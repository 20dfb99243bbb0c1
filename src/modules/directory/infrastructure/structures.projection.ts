import type { RecordedEvent } from '../../../shared-kernel/events/envelope.ts';
import { departementOf, type InseeCommune } from '../../../shared-kernel/ids/insee-commune.id.ts';
import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import {
  STRUCTURE_STREAM_PREFIX,
  type StructureDetails,
  type StructureIntegrationEvent,
  type StructureKind,
  type StructureSource,
} from '../contracts/directory.events.ts';

export const STRUCTURES_PROJECTION = 'directory_structures';

/**
 * Read model of the directory's structures (professional data only): one row per structure, open or closed, and one
 * per current membership. Every write is an idempotent upsert or delete, so replaying an event is harmless.
 */
export const structuresProjection: SqlProjection<'directory_structures' | 'directory_structure_members'> = {
  kind: 'sql',
  name: STRUCTURES_PROJECTION,
  tables: ['directory_structures', 'directory_structure_members'],
  // 2: the structure's SIRET.
  version: 2,
  filter: { streamPrefix: STRUCTURE_STREAM_PREFIX },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.directory_structures} (
      structure_id     text PRIMARY KEY,
      kind             text NOT NULL,
      finess           text,
      finess_category  text,
      siret            text,
      name             text NOT NULL,
      insee_code       text NOT NULL,
      departement      text NOT NULL,
      postcode         text,
      street           text,
      phone            text,
      source           text NOT NULL,
      status           text NOT NULL,
      managers         text[] NOT NULL DEFAULT '{}',
      position         bigint NOT NULL
    )`);
    await tx.query(`CREATE INDEX ON ${t.directory_structures} (departement, kind)`);
    await tx.query(`CREATE INDEX ON ${t.directory_structures} (finess)`);
    await tx.query(`CREATE INDEX ON ${t.directory_structures} (siret)`);
    await tx.query(`CREATE TABLE ${t.directory_structure_members} (
      structure_id  text NOT NULL,
      rpps          text NOT NULL,
      joined_at     timestamptz NOT NULL,
      position      bigint NOT NULL,
      PRIMARY KEY (structure_id, rpps)
    )`);
    await tx.query(`CREATE INDEX ON ${t.directory_structure_members} (rpps)`);
  },
  async apply(tx: SqlExecutor, events: readonly RecordedEvent[], t) {
    for (const recorded of events) {
      const event = recorded as unknown as StructureIntegrationEvent;
      switch (event.type) {
        case 'StructureRegistered':
        case 'StructureDetailsChanged': {
          const d = event.data;
          const registered = event.type === 'StructureRegistered';
          await tx.query(
            `INSERT INTO ${t.directory_structures}
               (structure_id, kind, finess, finess_category, name, insee_code, departement, postcode, street, phone, source, status, position, siret)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $14)
             ON CONFLICT (structure_id) DO UPDATE SET kind = EXCLUDED.kind, finess = EXCLUDED.finess,
               finess_category = EXCLUDED.finess_category, siret = EXCLUDED.siret, name = EXCLUDED.name, insee_code = EXCLUDED.insee_code,
               departement = EXCLUDED.departement, postcode = EXCLUDED.postcode, street = EXCLUDED.street,
               phone = EXCLUDED.phone, source = EXCLUDED.source,
               status = CASE WHEN $13 THEN 'active' ELSE ${t.directory_structures}.status END, position = EXCLUDED.position`,
            [d.structureId, d.kind, d.finess, d.finessCategory, d.name, d.address.inseeCode, departementOf(d.address.inseeCode as InseeCommune), d.address.postcode, d.address.street, d.phone, d.source, recorded.position, registered, d.siret ?? null],
          );
          // A structure registered (again) starts without members.
          if (registered) await tx.query(`DELETE FROM ${t.directory_structure_members} WHERE structure_id = $1`, [d.structureId]);
          break;
        }
        case 'StructureClosed':
          await tx.query(`UPDATE ${t.directory_structures} SET status = 'closed', position = $2 WHERE structure_id = $1`, [event.data.structureId, recorded.position]);
          await tx.query(`DELETE FROM ${t.directory_structure_members} WHERE structure_id = $1`, [event.data.structureId]);
          break;
        case 'StructureMemberJoined':
          await tx.query(
            `INSERT INTO ${t.directory_structure_members} (structure_id, rpps, joined_at, position) VALUES ($1, $2, $3, $4)
             ON CONFLICT (structure_id, rpps) DO NOTHING`,
            [event.data.structureId, event.data.rpps, recorded.metadata.occurredAt, recorded.position],
          );
          break;
        case 'StructureMemberLeft':
          await tx.query(`DELETE FROM ${t.directory_structure_members} WHERE structure_id = $1 AND rpps = $2`, [event.data.structureId, event.data.rpps]);
          break;
        case 'StructureManagerAssigned':
          await tx.query(
            `UPDATE ${t.directory_structures} SET managers = array_append(managers, $2::text)
             WHERE structure_id = $1 AND NOT ($2::text = ANY (managers))`,
            [event.data.structureId, event.data.accountId],
          );
          break;
      }
    }
  },
};

/** A structure as the API shows it. */
export interface StructureView {
  readonly structureId: string;
  readonly kind: StructureKind;
  readonly finess: string | null;
  readonly finessCategory: string | null;
  readonly siret: string | null;
  readonly name: string;
  readonly address: StructureDetails['address'];
  readonly departement: string;
  readonly phone: string | null;
  readonly source: StructureSource;
  readonly status: 'active' | 'closed';
  readonly memberCount: number;
}

export interface StructureMemberView {
  readonly rpps: string;
  readonly joinedAt: string;
  /** From the practitioners of the directory; null when the RPPS is not (or no longer) in it. */
  readonly givenName: string | null;
  readonly familyName: string | null;
  readonly professionLabel: string | null;
  readonly specialtyLabel: string | null;
}

interface StructureRow {
  structure_id: string;
  kind: StructureKind;
  finess: string | null;
  finess_category: string | null;
  siret: string | null;
  name: string;
  insee_code: string;
  departement: string;
  postcode: string | null;
  street: string | null;
  phone: string | null;
  source: StructureSource;
  status: 'active' | 'closed';
  managers: string[];
  member_count: number;
}

const toView = (r: StructureRow): StructureView => ({
  structureId: r.structure_id,
  kind: r.kind,
  finess: r.finess,
  finessCategory: r.finess_category,
  siret: r.siret,
  name: r.name,
  address: { inseeCode: r.insee_code, postcode: r.postcode, street: r.street },
  departement: r.departement,
  phone: r.phone,
  source: r.source,
  status: r.status,
  memberCount: Number(r.member_count),
});

const SELECT = `SELECT s.*, (SELECT count(*) FROM directory_structure_members m WHERE m.structure_id = s.structure_id)::int AS member_count
  FROM directory_structures s`;

export interface StructureQuery {
  readonly departement?: string;
  readonly kind?: StructureKind;
  readonly status: 'active' | 'closed';
  /** Only the structures this account manages. */
  readonly managedBy?: string;
  readonly limit: number;
  /** Keyset pagination: structures after this (name, id), in name order. */
  readonly after?: { readonly name: string; readonly structureId: string };
}

/** Structures by name, filtered by département, kind, status and manager. */
export async function queryStructures(db: SqlExecutor, q: StructureQuery): Promise<StructureView[]> {
  const where: string[] = ['s.status = $1'];
  const params: unknown[] = [q.status];
  if (q.departement) where.push(`s.departement = $${params.push(q.departement)}`);
  if (q.kind) where.push(`s.kind = $${params.push(q.kind)}`);
  if (q.managedBy) where.push(`$${params.push(q.managedBy)}::text = ANY (s.managers)`);
  if (q.after) where.push(`(s.name, s.structure_id) > ($${params.push(q.after.name)}, $${params.push(q.after.structureId)})`);
  const { rows } = await db.query<StructureRow>(
    `${SELECT} WHERE ${where.join(' AND ')} ORDER BY s.name, s.structure_id LIMIT $${params.push(q.limit)}`,
    params,
  );
  return rows.map(toView);
}

/** The open structure (other than `except`) that has this SIRET, if any: its id and name. */
export async function openStructureWithSiret(db: SqlExecutor, siret: string, except: string | null): Promise<{ structureId: string; name: string } | null> {
  const { rows } = await db.query<{ structure_id: string; name: string }>(
    `SELECT structure_id, name FROM directory_structures WHERE siret = $1 AND status = 'active' AND structure_id IS DISTINCT FROM $2 ORDER BY structure_id LIMIT 1`,
    [siret, except],
  );
  return rows[0] ? { structureId: rows[0].structure_id, name: rows[0].name } : null;
}

/**
 * One structure with its members (named from the practitioners projection's live table when the RPPS is known)
 * and its managers' account ids (for authorisation), or null when unknown.
 */
export async function queryStructure(
  db: SqlExecutor,
  structureId: string,
): Promise<(StructureView & { readonly members: StructureMemberView[]; readonly managers: readonly string[] }) | null> {
  const { rows } = await db.query<StructureRow>(`${SELECT} WHERE s.structure_id = $1`, [structureId]);
  const row = rows[0];
  if (!row) return null;
  const members = await db.query<{
    rpps: string;
    joined_at: Date | string;
    given_name: string | null;
    family_name: string | null;
    profession_label: string | null;
    specialty_label: string | null;
  }>(
    `SELECT m.rpps, m.joined_at, p.given_name, p.family_name, p.profession_label, p.specialty_label
       FROM directory_structure_members m LEFT JOIN directory_practitioners p ON p.rpps = m.rpps
      WHERE m.structure_id = $1 ORDER BY m.joined_at, m.rpps`,
    [structureId],
  );
  return {
    ...toView(row),
    managers: row.managers,
    members: members.rows.map((m) => ({
      rpps: m.rpps,
      joinedAt: new Date(m.joined_at).toISOString(),
      givenName: m.given_name,
      familyName: m.family_name,
      professionLabel: m.profession_label,
      specialtyLabel: m.specialty_label,
    })),
  };
}
