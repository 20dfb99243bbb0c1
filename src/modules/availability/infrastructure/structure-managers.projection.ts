import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import type { StructureIntegrationEvent } from '../../directory/contracts/directory.events.ts';

export const STRUCTURE_MANAGERS_PROJECTION = 'availability_structure_managers';

/**
 * Who may act on an effecteur's agenda for a structure: the members (by RPPS) and the managers (by account id) of
 * each care structure, fed by the directory's PUBLIC structure events only (modules talk through events). A
 * gestionnaire de structure manages the agendas of the current members of the structures it manages.
 * Closing a structure ends its memberships (the directory emits no `StructureMemberLeft` for them); managers are
 * kept across a closure and a reopening, as in the directory.
 */
export const structureManagersProjection: SqlProjection<'availability_structure_members' | 'availability_structure_managers'> = {
  kind: 'sql',
  name: STRUCTURE_MANAGERS_PROJECTION,
  tables: ['availability_structure_members', 'availability_structure_managers'],
  filter: { eventTypes: ['StructureMemberJoined', 'StructureMemberLeft', 'StructureManagerAssigned', 'StructureClosed'] },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.availability_structure_members} (
      structure_id text NOT NULL,
      rpps         text NOT NULL,
      PRIMARY KEY (structure_id, rpps)
    )`);
    await tx.query(`CREATE INDEX ON ${t.availability_structure_members} (rpps)`);
    await tx.query(`CREATE TABLE ${t.availability_structure_managers} (
      structure_id text NOT NULL,
      account_id   text NOT NULL,
      PRIMARY KEY (structure_id, account_id)
    )`);
  },
  async apply(tx: SqlExecutor, events, t) {
    for (const recorded of events) {
      const event = recorded as unknown as StructureIntegrationEvent;
      switch (event.type) {
        case 'StructureMemberJoined':
          await tx.query(`INSERT INTO ${t.availability_structure_members} (structure_id, rpps) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
            event.data.structureId,
            event.data.rpps,
          ]);
          break;
        case 'StructureMemberLeft':
          await tx.query(`DELETE FROM ${t.availability_structure_members} WHERE structure_id = $1 AND rpps = $2`, [event.data.structureId, event.data.rpps]);
          break;
        case 'StructureClosed':
          await tx.query(`DELETE FROM ${t.availability_structure_members} WHERE structure_id = $1`, [event.data.structureId]);
          break;
        case 'StructureManagerAssigned':
          await tx.query(`INSERT INTO ${t.availability_structure_managers} (structure_id, account_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
            event.data.structureId,
            event.data.accountId,
          ]);
          break;
        default:
          break;
      }
    }
  },
};

/** Account ids of the managers of the structures the effecteur is currently a member of. */
export async function structureManagersOf(db: SqlExecutor, rpps: string): Promise<string[]> {
  const { rows } = await db.query<{ account_id: string }>(
    `SELECT DISTINCT g.account_id
       FROM availability_structure_members m
       JOIN availability_structure_managers g ON g.structure_id = m.structure_id
      WHERE m.rpps = $1
      ORDER BY g.account_id`,
    [rpps],
  );
  return rows.map((r) => r.account_id);
}
