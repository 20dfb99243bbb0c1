import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import type { VendorSlotDisplayEvent } from '../contracts/vendor-aggregation.events.ts';

export const VENDOR_DISPLAY_PROJECTION = 'availability_vendor_display';

/** Effecteurs who refused the display of their vendor slots (one row per effecteur who ever chose). */
export const vendorDisplayProjection: SqlProjection<'availability_vendor_display'> = {
  kind: 'sql',
  name: VENDOR_DISPLAY_PROJECTION,
  tables: ['availability_vendor_display'],
  filter: { eventTypes: ['VendorSlotDisplayRefused', 'VendorSlotDisplayAccepted'] },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.availability_vendor_display} (effecteur_id text PRIMARY KEY, refused boolean NOT NULL)`);
  },
  async apply(tx, events, t) {
    for (const recorded of events) {
      const event = recorded as unknown as VendorSlotDisplayEvent;
      await tx.query(
        `INSERT INTO ${t.availability_vendor_display} (effecteur_id, refused) VALUES ($1, $2) ON CONFLICT (effecteur_id) DO UPDATE SET refused = excluded.refused`,
        [event.data.effecteurId, event.type === 'VendorSlotDisplayRefused'],
      );
    }
  },
};

/** Those of `effecteurIds` who refuse the display of their vendor slots. */
export async function refusingVendorDisplay(db: SqlExecutor, effecteurIds: readonly string[]): Promise<Set<string>> {
  if (effecteurIds.length === 0) return new Set();
  const { rows } = await db.query<{ effecteur_id: string }>(
    'SELECT effecteur_id FROM availability_vendor_display WHERE refused AND effecteur_id = ANY($1::text[])',
    [[...effecteurIds]],
  );
  return new Set(rows.map((r) => r.effecteur_id));
}
