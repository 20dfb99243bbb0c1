import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import { columns } from '../../../shared-kernel/sql/columns.ts';
import type { AvailabilityIntegrationEvent } from '../contracts/availability.events.ts';

export const FREE_SLOTS_PROJECTION = 'availability_free_slots';

/**
 * Read model of the free slots, manual (single slots and agenda occurrences) and vendor: one row per slot published
 * and not withdrawn, with the places left once it has been booked (`remaining_places`, null while never booked; 0 =
 * fully booked, not listed; a cancellation brings it back), and each effecteur's current unavailability declaration
 * (periods; the indefinite switch as one unbounded period). A slot is listed while it has a free place and no declared
 * period touches it — the rule of `isHiddenByUnavailability` in the agenda domain.
 * (Columns `remaining_places` and table `availability_unavailability` came with the agenda's public events: a database
 * created before them needs `npm run sas -- projections rebuild availability_free_slots`.)
 */
export const freeSlotsProjection: SqlProjection<'availability_free_slots' | 'availability_unavailability'> = {
  kind: 'sql',
  name: FREE_SLOTS_PROJECTION,
  tables: ['availability_free_slots', 'availability_unavailability'],
  // 2: agenda events (SlotChanged, bookings with remaining places, unavailability): rebuilt on the next start.
  version: 2,
  filter: { eventTypes: ['SlotPublished', 'SlotWithdrawn', 'SlotChanged', 'SlotBooked', 'BookingCancelled', 'UnavailabilityDeclared'] },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.availability_free_slots} (
      slot_id            uuid PRIMARY KEY,
      effecteur_id       text NOT NULL,
      starts_at          timestamptz NOT NULL,
      ends_at            timestamptz NOT NULL,
      consultation_types text[] NOT NULL,
      source             text NOT NULL,
      remaining_places   integer,
      published_at       timestamptz NOT NULL,
      position           bigint NOT NULL
    )`);
    await tx.query(`CREATE INDEX ON ${t.availability_free_slots} (starts_at, slot_id)`);
    await tx.query(`CREATE INDEX ON ${t.availability_free_slots} (effecteur_id, starts_at)`);
    await tx.query(`CREATE TABLE ${t.availability_unavailability} (
      effecteur_id text NOT NULL,
      starts_at    timestamptz NOT NULL,
      ends_at      timestamptz NOT NULL
    )`);
    await tx.query(`CREATE INDEX ON ${t.availability_unavailability} (effecteur_id)`);
  },
  // Larger batches than the default: a catch-up writes runs of publications in one statement.
  batchSize: 2000,
  async apply(tx: SqlExecutor, events, t) {
    // A run of consecutive publications is one statement; the first publication of a slot id wins, as one by one.
    const published = new Map<string, { slotId: string; effecteurId: string; start: string; end: string; types: string; source: string; publishedAt: string; position: number }>();
    const flush = async () => {
      if (published.size === 0) return;
      await tx.query(
        `INSERT INTO ${t.availability_free_slots}
           (slot_id, effecteur_id, starts_at, ends_at, consultation_types, source, published_at, position)
         SELECT slot_id, effecteur_id, starts_at, ends_at, string_to_array(types, ','), source, published_at, position
           FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::text[], $6::text[], $7::timestamptz[], $8::bigint[])
                AS r(slot_id, effecteur_id, starts_at, ends_at, types, source, published_at, position)
         ON CONFLICT (slot_id) DO NOTHING`,
        columns([...published.values()], ['slotId', 'effecteurId', 'start', 'end', 'types', 'source', 'publishedAt', 'position']),
      );
      published.clear();
    };
    for (const recorded of events) {
      const event = recorded as unknown as AvailabilityIntegrationEvent;
      if (event.type === 'SlotPublished') {
        const d = event.data;
        if (!published.has(d.slotId)) {
          published.set(d.slotId, { slotId: d.slotId, effecteurId: d.effecteurId, start: d.start, end: d.end, types: d.consultationTypes.join(','), source: d.source, publishedAt: recorded.metadata.occurredAt, position: recorded.position });
        }
        continue;
      }
      await flush();
      switch (event.type) {
        case 'SlotWithdrawn':
          await tx.query(`DELETE FROM ${t.availability_free_slots} WHERE slot_id = $1`, [event.data.slotId]);
          break;
        case 'SlotChanged':
          await tx.query(
            `UPDATE ${t.availability_free_slots} SET starts_at = $2, ends_at = $3, consultation_types = $4, position = $5 WHERE slot_id = $1`,
            [event.data.slotId, event.data.start, event.data.end, event.data.consultationTypes, recorded.position],
          );
          break;
        case 'SlotBooked':
        case 'BookingCancelled':
          await tx.query(`UPDATE ${t.availability_free_slots} SET remaining_places = $2, position = $3 WHERE slot_id = $1`, [
            event.data.slotId,
            event.data.remainingPlaces,
            recorded.position,
          ]);
          break;
        case 'UnavailabilityDeclared': {
          const { effecteurId, periods, indefinite } = event.data;
          await tx.query(`DELETE FROM ${t.availability_unavailability} WHERE effecteur_id = $1`, [effecteurId]);
          const starts = [...periods.map((p) => p.start), ...(indefinite ? ['-infinity'] : [])];
          const ends = [...periods.map((p) => p.end), ...(indefinite ? ['infinity'] : [])];
          if (starts.length > 0) {
            await tx.query(
              `INSERT INTO ${t.availability_unavailability} (effecteur_id, starts_at, ends_at)
               SELECT $1, s, e FROM unnest($2::timestamptz[], $3::timestamptz[]) AS p(s, e)`,
              [effecteurId, starts, ends],
            );
          }
          break;
        }
        default:
          break;
      }
    }
    await flush();
  },
};

export interface FreeSlotRow {
  readonly slotId: string;
  readonly effecteurId: string;
  readonly start: string;
  readonly end: string;
  readonly consultationTypes: string[];
  readonly source: string;
  /** Places left once booked (a range with places left); null while never booked. */
  readonly remainingPlaces: number | null;
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

/** Upcoming free slots (not yet ended, with a free place, not hidden by an unavailability), by start, keyset-paginated. */
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
  where += ` AND (remaining_places IS NULL OR remaining_places > 0)
    AND NOT EXISTS (SELECT 1 FROM availability_unavailability u
                     WHERE u.effecteur_id = s.effecteur_id AND u.starts_at < s.ends_at AND s.starts_at < u.ends_at)`;
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
    remaining_places: number | null;
  }>(
    `SELECT slot_id, effecteur_id, starts_at, ends_at, consultation_types, source, remaining_places
       FROM availability_free_slots s WHERE ${where}
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
    remainingPlaces: row.remaining_places,
  }));
}
