/**
 * The aggregation job's own tables (technical tables, not projections):
 * - `availability_vendor_slots`: what the platform has appended for each vendor slot (state, times, types, booking
 *   mode, stream revision) — the "known" side of the diff — and the vendor's booking URL of the slot (`Slot.comment`,
 *   not public: the end-to-end redirect reads it here). A cache of the slot streams: when it disagrees with them (a booking by
 *   the FHIR Appointment endpoint, a crash between an append and its write here) the append's expected revision
 *   fails and the job re-reads the streams (the truth) before deciding again.
 * - `availability_vendor_status`: per vendor, its circuit and last success / error, and the batches planned.
 * - `availability_vendor_batches`: per vendor and batch, last success (staleness is per batch) and stale flag.
 * - `availability_vendor_reports`: rejected answers (malformed, oversized…), with their problems.
 */
import type { SqlDatabase, SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { ConsultationType, VendorBookingMode } from '../../contracts/availability.events.ts';
import { closedCircuit, type Circuit, type CircuitState } from '../../domain/circuit-breaker.ts';
import type { BundleProblem } from '../fhir/searchset-bundle.validator.ts';

export async function createAggregationTables(db: SqlDatabase): Promise<void> {
  await db.exec(`
    CREATE TABLE IF NOT EXISTS availability_vendor_slots (
      slot_id            uuid PRIMARY KEY,
      vendor_id          text NOT NULL,
      fhir_slot_id       text NOT NULL,
      effecteur_id       text NOT NULL,
      starts_at          timestamptz NOT NULL,
      ends_at            timestamptz NOT NULL,
      consultation_types text[] NOT NULL,
      status             text NOT NULL,
      revision           integer NOT NULL,
      stale              boolean NOT NULL DEFAULT false
    );
    CREATE INDEX IF NOT EXISTS availability_vendor_slots_by_effecteur ON availability_vendor_slots (vendor_id, effecteur_id);
    -- Added for the end-to-end redirect (a table created before gets them; rows fill in at the next poll).
    ALTER TABLE availability_vendor_slots ADD COLUMN IF NOT EXISTS booking_url text;
    ALTER TABLE availability_vendor_slots ADD COLUMN IF NOT EXISTS booking_mode text;
    CREATE TABLE IF NOT EXISTS availability_vendor_status (
      vendor_id            text PRIMARY KEY,
      circuit              text NOT NULL DEFAULT 'closed',
      consecutive_failures integer NOT NULL DEFAULT 0,
      opened_at            timestamptz,
      last_success_at      timestamptz,
      last_error_at        timestamptz,
      last_error           text,
      planned              jsonb NOT NULL DEFAULT '{}'::jsonb
    );
    CREATE TABLE IF NOT EXISTS availability_vendor_batches (
      vendor_id        text NOT NULL,
      batch_key        text NOT NULL,
      first_attempt_at timestamptz NOT NULL,
      last_success_at  timestamptz,
      last_error       text,
      stale            boolean NOT NULL DEFAULT false,
      PRIMARY KEY (vendor_id, batch_key)
    );
    CREATE TABLE IF NOT EXISTS availability_vendor_reports (
      id        bigserial PRIMARY KEY,
      vendor_id text NOT NULL,
      batch_key text NOT NULL,
      at        timestamptz NOT NULL,
      error     text NOT NULL,
      problems  jsonb NOT NULL
    );
    CREATE INDEX IF NOT EXISTS availability_vendor_reports_by_vendor ON availability_vendor_reports (vendor_id, id);
  `);
}

export type KnownStatus = 'published' | 'booked' | 'withdrawn';

export interface KnownSlot {
  readonly slotId: string;
  readonly vendorId: string;
  readonly fhirSlotId: string;
  readonly effecteurId: string;
  readonly start: string;
  readonly end: string;
  readonly consultationTypes: readonly ConsultationType[];
  readonly status: KnownStatus;
  /** Revision of the slot's stream after the last event the job knows of. */
  readonly revision: number;
  readonly stale: boolean;
  /** The vendor's booking page for this slot (`Slot.comment`); null when unknown (a row from before it was kept). */
  readonly bookingUrl: string | null;
  /** The booking mode last appended for it (null: none, e.g. appended before the field existed). */
  readonly bookingMode: VendorBookingMode | null;
}

type KnownRow = {
  slot_id: string;
  vendor_id: string;
  fhir_slot_id: string;
  effecteur_id: string;
  starts_at: Date | string;
  ends_at: Date | string;
  consultation_types: string[];
  status: KnownStatus;
  revision: number;
  stale: boolean;
  booking_url: string | null;
  booking_mode: VendorBookingMode | null;
};
const iso = (d: Date | string) => new Date(d).toISOString();
const toKnown = (r: KnownRow): KnownSlot => ({
  slotId: r.slot_id,
  vendorId: r.vendor_id,
  fhirSlotId: r.fhir_slot_id,
  effecteurId: r.effecteur_id,
  start: iso(r.starts_at),
  end: iso(r.ends_at),
  consultationTypes: r.consultation_types as ConsultationType[],
  status: r.status,
  revision: r.revision,
  stale: r.stale,
  bookingUrl: r.booking_url ?? null,
  bookingMode: r.booking_mode ?? null,
});

export async function knownSlotsOf(db: SqlExecutor, vendorId: string, effecteurIds: readonly string[]): Promise<KnownSlot[]> {
  const { rows } = await db.query<KnownRow>('SELECT * FROM availability_vendor_slots WHERE vendor_id = $1 AND effecteur_id = ANY($2::text[])', [vendorId, [...effecteurIds]]);
  return rows.map(toKnown);
}

export async function knownSlotsById(db: SqlExecutor, slotIds: readonly string[]): Promise<KnownSlot[]> {
  const { rows } = await db.query<KnownRow>('SELECT * FROM availability_vendor_slots WHERE slot_id = ANY($1::uuid[])', [[...slotIds]]);
  return rows.map(toKnown);
}

export async function saveKnownSlots(db: SqlExecutor, slots: readonly KnownSlot[]): Promise<void> {
  if (slots.length === 0) return;
  await db.query(
    `INSERT INTO availability_vendor_slots (slot_id, vendor_id, fhir_slot_id, effecteur_id, starts_at, ends_at, consultation_types, status, revision, stale, booking_url, booking_mode)
     SELECT id::uuid, vendor, fhir, effecteur, s, e, string_to_array(types, ','), status, revision, stale, url, mode
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[], $8::text[], $9::int[], $10::boolean[], $11::text[], $12::text[])
            AS t(id, vendor, fhir, effecteur, s, e, types, status, revision, stale, url, mode)
     ON CONFLICT (slot_id) DO UPDATE SET effecteur_id = excluded.effecteur_id, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
       consultation_types = excluded.consultation_types, status = excluded.status, revision = excluded.revision, stale = excluded.stale,
       booking_url = excluded.booking_url, booking_mode = excluded.booking_mode`,
    [
      slots.map((s) => s.slotId),
      slots.map((s) => s.vendorId),
      slots.map((s) => s.fhirSlotId),
      slots.map((s) => s.effecteurId),
      slots.map((s) => s.start),
      slots.map((s) => s.end),
      slots.map((s) => s.consultationTypes.join(',')),
      slots.map((s) => s.status),
      slots.map((s) => s.revision),
      slots.map((s) => s.stale),
      slots.map((s) => s.bookingUrl),
      slots.map((s) => s.bookingMode),
    ],
  );
}

export async function forgetKnownSlots(db: SqlExecutor, slotIds: readonly string[]): Promise<void> {
  if (slotIds.length > 0) await db.query('DELETE FROM availability_vendor_slots WHERE slot_id = ANY($1::uuid[])', [[...slotIds]]);
}

// ---- vendor status and circuit ----------------------------------------------------------------------------------

export interface VendorStatusRow {
  readonly vendorId: string;
  readonly circuit: Circuit;
  readonly lastSuccessAt: string | null;
  readonly lastErrorAt: string | null;
  readonly lastError: string | null;
  readonly planned: Readonly<Record<string, number>>;
}

type StatusRow = {
  vendor_id: string;
  circuit: CircuitState;
  consecutive_failures: number;
  opened_at: Date | string | null;
  last_success_at: Date | string | null;
  last_error_at: Date | string | null;
  last_error: string | null;
  planned: Record<string, number>;
};
const toStatus = (r: StatusRow): VendorStatusRow => ({
  vendorId: r.vendor_id,
  circuit: { state: r.circuit, consecutiveFailures: r.consecutive_failures, openedAt: r.opened_at ? new Date(r.opened_at).getTime() : null },
  lastSuccessAt: r.last_success_at ? iso(r.last_success_at) : null,
  lastErrorAt: r.last_error_at ? iso(r.last_error_at) : null,
  lastError: r.last_error,
  planned: r.planned ?? {},
});

export async function vendorStatus(db: SqlExecutor, vendorId: string): Promise<VendorStatusRow> {
  const { rows } = await db.query<StatusRow>('SELECT * FROM availability_vendor_status WHERE vendor_id = $1', [vendorId]);
  return rows[0] ? toStatus(rows[0]) : { vendorId, circuit: closedCircuit, lastSuccessAt: null, lastErrorAt: null, lastError: null, planned: {} };
}

/** Changes a vendor's circuit under a row lock, so that concurrent batches of one vendor count every failure. */
export async function updateCircuit(
  db: SqlDatabase,
  vendorId: string,
  change: (circuit: Circuit) => { circuit: Circuit; success?: Date; error?: { at: Date; message: string } },
): Promise<Circuit> {
  return db.transaction(async (tx) => {
    await tx.query('INSERT INTO availability_vendor_status (vendor_id) VALUES ($1) ON CONFLICT (vendor_id) DO NOTHING', [vendorId]);
    const { rows } = await tx.query<StatusRow>('SELECT * FROM availability_vendor_status WHERE vendor_id = $1 FOR UPDATE', [vendorId]);
    const next = change(toStatus(rows[0]!).circuit);
    await tx.query(
      `UPDATE availability_vendor_status SET circuit = $2, consecutive_failures = $3, opened_at = $4,
         last_success_at = coalesce($5, last_success_at), last_error_at = coalesce($6, last_error_at), last_error = CASE WHEN $6::timestamptz IS NULL THEN last_error ELSE $7 END
       WHERE vendor_id = $1`,
      [
        vendorId,
        next.circuit.state,
        next.circuit.consecutiveFailures,
        next.circuit.openedAt === null ? null : new Date(next.circuit.openedAt).toISOString(),
        next.success?.toISOString() ?? null,
        next.error?.at.toISOString() ?? null,
        next.error?.message ?? null,
      ],
    );
    return next.circuit;
  });
}

export async function savePlanned(db: SqlExecutor, vendorId: string, planned: Record<string, number>): Promise<void> {
  await db.query(
    `INSERT INTO availability_vendor_status (vendor_id, planned) VALUES ($1, $2::jsonb) ON CONFLICT (vendor_id) DO UPDATE SET planned = excluded.planned`,
    [vendorId, JSON.stringify(planned)],
  );
}

/**
 * Makes the next plan schedule every batch again (same keys: an upsert), keeping the batch counts so that batches
 * gone meanwhile are still unscheduled. At start-up: the in-process queue of the embedded default loses its schedules
 * with the process, while the planned counts stay in the database.
 */
export async function replanAtStart(db: SqlExecutor, vendorId: string): Promise<void> {
  await db.query(`UPDATE availability_vendor_status SET planned = planned || '{"everyMs": 0}'::jsonb WHERE vendor_id = $1`, [vendorId]);
}

// ---- batches ----------------------------------------------------------------------------------------------------

export interface BatchRow {
  readonly firstAttemptAt: string;
  readonly lastSuccessAt: string | null;
  readonly stale: boolean;
}

export async function touchBatch(db: SqlExecutor, vendorId: string, batchKey: string, now: Date): Promise<BatchRow> {
  const { rows } = await db.query<{ first_attempt_at: Date | string; last_success_at: Date | string | null; stale: boolean }>(
    `INSERT INTO availability_vendor_batches (vendor_id, batch_key, first_attempt_at) VALUES ($1, $2, $3)
     ON CONFLICT (vendor_id, batch_key) DO UPDATE SET first_attempt_at = availability_vendor_batches.first_attempt_at
     RETURNING first_attempt_at, last_success_at, stale`,
    [vendorId, batchKey, now.toISOString()],
  );
  const r = rows[0]!;
  return { firstAttemptAt: iso(r.first_attempt_at), lastSuccessAt: r.last_success_at ? iso(r.last_success_at) : null, stale: r.stale };
}

export async function batchSucceeded(db: SqlExecutor, vendorId: string, batchKey: string, now: Date): Promise<void> {
  await db.query('UPDATE availability_vendor_batches SET last_success_at = $3, last_error = NULL, stale = false WHERE vendor_id = $1 AND batch_key = $2', [vendorId, batchKey, now.toISOString()]);
}

export async function batchFailed(db: SqlExecutor, vendorId: string, batchKey: string, error: string, stale: boolean): Promise<void> {
  await db.query('UPDATE availability_vendor_batches SET last_error = $3, stale = stale OR $4 WHERE vendor_id = $1 AND batch_key = $2', [vendorId, batchKey, error, stale]);
}

export async function recordReport(db: SqlExecutor, vendorId: string, batchKey: string, at: Date, error: string, problems: readonly BundleProblem[]): Promise<void> {
  // The first problems are enough to act on; a 10 MB answer may carry thousands.
  await db.query('INSERT INTO availability_vendor_reports (vendor_id, batch_key, at, error, problems) VALUES ($1, $2, $3, $4, $5::jsonb)', [
    vendorId,
    batchKey,
    at.toISOString(),
    error,
    JSON.stringify({ count: problems.length, first: problems.slice(0, 20) }),
  ]);
}

export interface VendorReport {
  readonly batchKey: string;
  readonly at: string;
  readonly error: string;
  readonly problems: { readonly count: number; readonly first: readonly BundleProblem[] };
}

export async function latestReports(db: SqlExecutor, vendorId: string, limit = 10): Promise<VendorReport[]> {
  const { rows } = await db.query<{ batch_key: string; at: Date | string; error: string; problems: VendorReport['problems'] }>(
    'SELECT batch_key, at, error, problems FROM availability_vendor_reports WHERE vendor_id = $1 ORDER BY id DESC LIMIT $2',
    [vendorId, limit],
  );
  return rows.map((r) => ({ batchKey: r.batch_key, at: iso(r.at), error: r.error, problems: r.problems }));
}

/** Counts for the status route: slots known as published, stale, and stale batches. */
export async function vendorCounts(db: SqlExecutor, vendorId: string): Promise<{ published: number; staleSlots: number; staleBatches: number; batches: number }> {
  const { rows } = await db.query<{ published: string; stale_slots: string; stale_batches: string; batches: string }>(
    `SELECT (SELECT count(*) FROM availability_vendor_slots WHERE vendor_id = $1 AND status = 'published') AS published,
            (SELECT count(*) FROM availability_vendor_slots WHERE vendor_id = $1 AND stale) AS stale_slots,
            (SELECT count(*) FROM availability_vendor_batches WHERE vendor_id = $1 AND stale) AS stale_batches,
            (SELECT count(*) FROM availability_vendor_batches WHERE vendor_id = $1) AS batches`,
    [vendorId],
  );
  const r = rows[0]!;
  return { published: Number(r.published), staleSlots: Number(r.stale_slots), staleBatches: Number(r.stale_batches), batches: Number(r.batches) };
}
