import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import type { AvailabilityIntegrationEvent } from '../contracts/availability.events.ts';

export const FREE_SLOTS_PROJECTION = 'availability_free_slots';

/** Read model of the slots that are published and not withdrawn: one row per slot. */
export const freeSlotsProjection: SqlProjection<'availability_free_slots'> = {
  kind: 'sql',
  name: FREE_SLOTS_PROJECTION,
  tables: ['availability_free_slots'],
  filter: { eventTypes: ['SlotPublished', 'SlotWithdrawn'] },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.availability_free_slots} (
      slot_id            uuid PRIMARY KEY,
      effecteur_id       text NOT NULL,
      starts_at          timestamptz NOT NULL,
      ends_at            timestamptz NOT NULL,
      consultation_types text[] NOT NULL,
      source             text NOT NULL,
      published_at       timestamptz NOT NULL,
      position           bigint NOT NULL
    )`);
    await tx.query(`CREATE INDEX ON ${t.availability_free_slots} (starts_at, slot_id)`);
    await tx.query(`CREATE INDEX ON ${t.availability_free_slots} (effecteur_id, starts_at)`);
  },
  async apply(tx: SqlExecutor, events, t) {
    for (const recorded of events) {
      const event = recorded as unknown as AvailabilityIntegrationEvent;
      if (event.type === 'SlotPublished') {
        await tx.query(
          `INSERT INTO ${t.availability_free_slots}
             (slot_id, effecteur_id, starts_at, ends_at, consultation_types, source, published_at, position)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (slot_id) DO NOTHING`,
          [
            event.data.slotId,
            event.data.effecteurId,
            event.data.start,
            event.data.end,
            event.data.consultationTypes,
            event.data.source,
            recorded.metadata.occurredAt,
            recorded.position,
          ],
        );
      } else if (event.type === 'SlotWithdrawn') {
        await tx.query(`DELETE FROM ${t.availability_free_slots} WHERE slot_id = $1`, [event.data.slotId]);
      }
    }
  },
};

export interface FreeSlotRow {
  readonly slotId: string;
  readonly effecteurId: string;
  readonly start: string;
  readonly end: string;
  readonly consultationTypes: string[];
  readonly source: string;
}

export interface FreeSlotQuery {
  readonly now: Date;
  readonly from?: Date;
  readonly to?: Date;
  readonly effecteurId?: string;
  readonly consultationType?: string;
  readonly limit: number;
  /** Keyset cursor: the (start, slotId) of the last row of the previous page. */
  readonly after?: { readonly start: string; readonly slotId: string };
}

/** Upcoming free slots (not yet ended), ordered by start, keyset-paginated. */
export async function queryFreeSlots(db: SqlExecutor, q: FreeSlotQuery): Promise<FreeSlotRow[]> {
  const params: unknown[] = [q.from && q.from > q.now ? q.from.toISOString() : q.now.toISOString(), q.limit];
  let where = 'ends_at > $1';
  if (q.from && q.from > q.now) where = 'starts_at >= $1';
  const add = (clause: string, value: unknown) => {
    params.push(value);
    where += ` AND ${clause.replaceAll('?', `$${params.length}`)}`;
  };
  if (q.to) add('starts_at < ?', q.to.toISOString());
  if (q.effecteurId) add('effecteur_id = ?', q.effecteurId);
  if (q.consultationType) add('? = ANY(consultation_types)', q.consultationType);
  if (q.after) {
    params.push(q.after.start, q.after.slotId);
    where += ` AND (starts_at, slot_id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
  }
  const { rows } = await db.query<{
    slot_id: string;
    effecteur_id: string;
    starts_at: Date | string;
    ends_at: Date | string;
    consultation_types: string[];
    source: string;
  }>(
    `SELECT slot_id, effecteur_id, starts_at, ends_at, consultation_types, source
       FROM availability_free_slots WHERE ${where}
      ORDER BY starts_at, slot_id LIMIT $2`,
    params,
  );
  return rows.map((row) => ({
    slotId: row.slot_id,
    effecteurId: row.effecteur_id,
    start: new Date(row.starts_at).toISOString(),
    end: new Date(row.ends_at).toISOString(),
    consultationTypes: row.consultation_types,
    source: row.source,
  }));
}
