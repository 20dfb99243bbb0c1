import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import { columns } from '../../../shared-kernel/sql/columns.ts';
import { AVAILABILITY_STREAM_PREFIX, type AvailabilityIntegrationEvent, type SlotSource } from '../contracts/availability.events.ts';

export const SLOT_INDEX_PROJECTION = 'availability_slot_index';

/**
 * Where a public slot id lives: one row per slot ever published, with the stream that holds it (a manual slot's
 * own `availability.slot-<id>`, an agenda occurrence's `availability.agenda-<rpps>`, a vendor's stream), its
 * effecteur and source. The booking routes use it to send a command to the right aggregate. A withdrawn slot
 * keeps its row (flagged), so that booking it is answered "retiré", not "inconnu".
 */
export const slotIndexProjection: SqlProjection<'availability_slot_index'> = {
  kind: 'sql',
  name: SLOT_INDEX_PROJECTION,
  tables: ['availability_slot_index'],
  filter: { eventTypes: ['SlotPublished', 'SlotWithdrawn'], streamPrefix: AVAILABILITY_STREAM_PREFIX },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.availability_slot_index} (
      slot_id      uuid PRIMARY KEY,
      stream_name  text NOT NULL,
      effecteur_id text NOT NULL,
      source       text NOT NULL,
      withdrawn    boolean NOT NULL DEFAULT false,
      position     bigint NOT NULL
    )`);
  },
  // Larger batches than the default: a catch-up writes runs of publications in one statement.
  batchSize: 2000,
  async apply(tx: SqlExecutor, events, t) {
    // A run of consecutive publications is one statement (the last publication of a slot id wins, as one by one).
    const published = new Map<string, { slotId: string; streamName: string; effecteurId: string; source: string; position: number }>();
    const flush = async () => {
      if (published.size === 0) return;
      await tx.query(
        `INSERT INTO ${t.availability_slot_index} (slot_id, stream_name, effecteur_id, source, withdrawn, position)
         SELECT slot_id, stream_name, effecteur_id, source, false, position
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS r(slot_id, stream_name, effecteur_id, source, position)
         ON CONFLICT (slot_id) DO UPDATE SET stream_name = excluded.stream_name, effecteur_id = excluded.effecteur_id,
           source = excluded.source, withdrawn = false, position = excluded.position`,
        columns([...published.values()], ['slotId', 'streamName', 'effecteurId', 'source', 'position']),
      );
      published.clear();
    };
    for (const recorded of events) {
      const event = recorded as unknown as AvailabilityIntegrationEvent;
      if (event.type === 'SlotPublished') {
        const { slotId, effecteurId, source } = event.data;
        published.delete(slotId);
        published.set(slotId, { slotId, streamName: recorded.streamName, effecteurId, source, position: recorded.position });
      } else if (event.type === 'SlotWithdrawn') {
        await flush();
        await tx.query(`UPDATE ${t.availability_slot_index} SET withdrawn = true, position = $2 WHERE slot_id = $1`, [
          event.data.slotId,
          recorded.position,
        ]);
      }
    }
    await flush();
  },
};

export interface IndexedSlot {
  readonly slotId: string;
  readonly streamName: string;
  readonly effecteurId: string;
  readonly source: SlotSource;
  readonly withdrawn: boolean;
}

/** The stream, effecteur and source of a public slot id, or null when the index has never seen it. */
export async function findIndexedSlot(db: SqlExecutor, slotId: string): Promise<IndexedSlot | null> {
  const { rows } = await db.query<{ stream_name: string; effecteur_id: string; source: SlotSource; withdrawn: boolean }>(
    'SELECT stream_name, effecteur_id, source, withdrawn FROM availability_slot_index WHERE slot_id = $1',
    [slotId],
  );
  const row = rows[0];
  return row ? { slotId, streamName: row.stream_name, effecteurId: row.effecteur_id, source: row.source, withdrawn: row.withdrawn } : null;
}
