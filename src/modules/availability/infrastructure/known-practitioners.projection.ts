import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import type { DirectoryIntegrationEvent } from '../../directory/contracts/directory.events.ts';

export const KNOWN_PRACTITIONERS_PROJECTION = 'availability_known_practitioners';

/**
 * Every practitioner (RPPS) the directory knows, from its public events: the vendors configured with
 * `practitioners: "directory"` are asked about all of them, in batches of ≤ 25.
 */
export const knownPractitionersProjection: SqlProjection<'availability_known_practitioners'> = {
  kind: 'sql',
  name: KNOWN_PRACTITIONERS_PROJECTION,
  tables: ['availability_known_practitioners'],
  filter: { eventTypes: ['PractitionerRegistered', 'PractitionerDeparted'] },
  batchSize: 5000,
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.availability_known_practitioners} (rpps text PRIMARY KEY)`);
  },
  async apply(tx, events, t) {
    const registered: string[] = [];
    const flush = async () => {
      if (registered.length === 0) return;
      await tx.query(`INSERT INTO ${t.availability_known_practitioners} (rpps) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [registered.splice(0)]);
    };
    for (const recorded of events) {
      const event = recorded as unknown as DirectoryIntegrationEvent;
      if (event.type === 'PractitionerRegistered') registered.push(event.data.rpps);
      else if (event.type === 'PractitionerDeparted') {
        await flush();
        await tx.query(`DELETE FROM ${t.availability_known_practitioners} WHERE rpps = $1`, [event.data.rpps]);
      }
    }
    await flush();
  },
};

export async function knownPractitionerCount(db: SqlExecutor): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM availability_known_practitioners');
  return Number(rows[0]?.n ?? 0);
}

/** The `batch`-th slice of `size` RPPS, in RPPS order. */
export async function knownPractitionersBatch(db: SqlExecutor, batch: number, size: number): Promise<string[]> {
  const { rows } = await db.query<{ rpps: string }>('SELECT rpps FROM availability_known_practitioners ORDER BY rpps OFFSET $1 LIMIT $2', [batch * size, size]);
  return rows.map((r) => r.rpps);
}
