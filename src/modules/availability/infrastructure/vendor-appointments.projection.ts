import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import { AVAILABILITY_STREAM_PREFIX } from '../contracts/availability.events.ts';
import type { VendorAppointmentRecord } from '../domain/vendor-appointment.decider.ts';
import type { VendorAppointmentRecorded } from '../domain/vendor-appointment.ts';

export const VENDOR_APPOINTMENTS_PROJECTION = 'availability_vendor_appointments';

/**
 * The current version of every appointment reported by a vendor (FHIR endpoint), by vendor and business
 * identifier: where the FHIR reads and searches find it, and how a notification under a known identifier is found
 * to name another slot than before. Holds what the events hold (no patient data).
 */
export const vendorAppointmentsProjection: SqlProjection<'availability_vendor_appointments'> = {
  kind: 'sql',
  name: VENDOR_APPOINTMENTS_PROJECTION,
  tables: ['availability_vendor_appointments'],
  filter: { eventTypes: ['VendorAppointmentRecorded'], streamPrefix: AVAILABILITY_STREAM_PREFIX },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.availability_vendor_appointments} (
      appointment_id    uuid PRIMARY KEY,
      vendor_id         text NOT NULL,
      identifier_system text NOT NULL,
      identifier_value  text NOT NULL,
      slot_id           uuid NOT NULL,
      record            jsonb NOT NULL,
      position          bigint NOT NULL
    )`);
    await tx.query(`CREATE UNIQUE INDEX ON ${t.availability_vendor_appointments} (vendor_id, identifier_system, identifier_value)`);
  },
  async apply(tx: SqlExecutor, events, t) {
    for (const recorded of events) {
      const event = recorded as unknown as VendorAppointmentRecorded;
      if (event.type !== 'VendorAppointmentRecorded') continue;
      const d = event.data;
      await tx.query(
        `INSERT INTO ${t.availability_vendor_appointments} (appointment_id, vendor_id, identifier_system, identifier_value, slot_id, record, position)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
         ON CONFLICT (appointment_id) DO UPDATE SET slot_id = excluded.slot_id, record = excluded.record, position = excluded.position
           WHERE ${t.availability_vendor_appointments}.position < excluded.position`,
        [d.appointmentId, d.vendorId, d.appointment.identifier.system, d.appointment.identifier.value, d.slotId, JSON.stringify(d), recorded.position],
      );
    }
  },
};

const parse = (value: unknown): VendorAppointmentRecord => (typeof value === 'string' ? JSON.parse(value) : value) as VendorAppointmentRecord;

/** The current version of a vendor's appointment by its platform id, or null (unknown, or another vendor's). */
export async function findVendorAppointment(db: SqlExecutor, vendorId: string, appointmentId: string): Promise<VendorAppointmentRecord | null> {
  const { rows } = await db.query<{ record: unknown }>(
    'SELECT record FROM availability_vendor_appointments WHERE appointment_id = $1 AND vendor_id = $2',
    [appointmentId, vendorId],
  );
  return rows[0] ? parse(rows[0].record) : null;
}

/** A vendor's appointments with this business identifier (FHIR token search `identifier=system|value`). */
export async function searchVendorAppointments(db: SqlExecutor, vendorId: string, identifier: { system: string; value: string }): Promise<VendorAppointmentRecord[]> {
  const { rows } = await db.query<{ record: unknown }>(
    'SELECT record FROM availability_vendor_appointments WHERE vendor_id = $1 AND identifier_system = $2 AND identifier_value = $3',
    [vendorId, identifier.system, identifier.value],
  );
  return rows.map((r) => parse(r.record));
}
