/**
 * Tables of the regulator push (INT_R02), technical tables of the module (not projections: jobs write them):
 * - `availability_regulator_accounts`: each account folded from identity's public account events, with the global
 *   position of the last event folded in (a position guard: an event delivered twice is folded once).
 * - `availability_regulator_push`: per account and end-to-end vendor, what was last sent (hash of the resource and
 *   whether it was active) and the push status — pending, retrying, sent, failed — with the last attempt and error.
 */
import type { RecordedEvent } from '../../../../shared-kernel/events/envelope.ts';
import type { SqlDatabase, SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { AccountEvent } from '../../../identity/contracts/identity.events.ts';
import { evolveRegulatorAccount, territoriesOf, type RegulatorAccount } from '../../application/regulator-push/regulator-account.ts';

export const PUSH_STATUSES = ['pending', 'retrying', 'sent', 'failed'] as const;
export type PushStatus = (typeof PUSH_STATUSES)[number];

export async function createRegulatorPushTables(db: SqlDatabase): Promise<void> {
  await db.exec(`
    CREATE TABLE IF NOT EXISTS availability_regulator_accounts (
      account_id  text PRIMARY KEY,
      doc         jsonb NOT NULL,
      territories text[] NOT NULL,
      position    bigint NOT NULL
    );
    CREATE TABLE IF NOT EXISTS availability_regulator_push (
      account_id      text NOT NULL,
      vendor_id       text NOT NULL,
      status          text NOT NULL,
      sent_hash       text,
      sent_active     boolean,
      sent_at         timestamptz,
      attempts        integer NOT NULL DEFAULT 0,
      last_attempt_at timestamptz,
      last_error      text,
      retryable       boolean NOT NULL DEFAULT false,
      next_attempt_at timestamptz,
      updated_at      timestamptz NOT NULL,
      PRIMARY KEY (account_id, vendor_id)
    );
    CREATE INDEX IF NOT EXISTS availability_regulator_push_by_status ON availability_regulator_push (status);
  `);
}

/**
 * Folds account events into `availability_regulator_accounts`, in one transaction; events at or below an account's
 * stored position are skipped. Answers the ids of the accounts the events are about (skipped or not).
 */
export async function foldAccountEvents(db: SqlDatabase, events: readonly RecordedEvent[]): Promise<string[]> {
  const byAccount = new Map<string, RecordedEvent[]>();
  for (const e of events) {
    const accountId = (e.data as { accountId?: unknown }).accountId;
    if (typeof accountId !== 'string') continue;
    const list = byAccount.get(accountId) ?? [];
    list.push(e);
    byAccount.set(accountId, list);
  }
  if (byAccount.size === 0) return [];
  await db.transaction(async (tx) => {
    for (const [accountId, list] of [...byAccount].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const { rows } = await tx.query<{ doc: RegulatorAccount; position: string }>('SELECT doc, position FROM availability_regulator_accounts WHERE account_id = $1 FOR UPDATE', [accountId]);
      let doc: RegulatorAccount | null = rows[0]?.doc ?? null;
      const stored = Number(rows[0]?.position ?? 0);
      let position = stored;
      for (const e of list) {
        if (e.position <= stored) continue;
        doc = evolveRegulatorAccount(doc, e as unknown as AccountEvent);
        position = e.position;
      }
      if (!doc || position === stored) continue;
      await tx.query(
        `INSERT INTO availability_regulator_accounts (account_id, doc, territories, position) VALUES ($1, $2, $3, $4)
         ON CONFLICT (account_id) DO UPDATE SET doc = excluded.doc, territories = excluded.territories, position = excluded.position
         WHERE availability_regulator_accounts.position < excluded.position`,
        [accountId, JSON.stringify(doc), territoriesOf(doc), position],
      );
    }
  });
  return [...byAccount.keys()];
}

export async function regulatorAccount(db: SqlExecutor, accountId: string): Promise<RegulatorAccount | null> {
  const { rows } = await db.query<{ doc: RegulatorAccount }>('SELECT doc FROM availability_regulator_accounts WHERE account_id = $1', [accountId]);
  return rows[0]?.doc ?? null;
}

export interface PushRow {
  readonly accountId: string;
  readonly vendorId: string;
  readonly status: PushStatus;
  readonly sentHash: string | null;
  readonly sentActive: boolean | null;
  readonly sentAt: string | null;
  readonly attempts: number;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly retryable: boolean;
  readonly nextAttemptAt: string | null;
}

type Row = {
  account_id: string;
  vendor_id: string;
  status: PushStatus;
  sent_hash: string | null;
  sent_active: boolean | null;
  sent_at: Date | string | null;
  attempts: number;
  last_attempt_at: Date | string | null;
  last_error: string | null;
  retryable: boolean;
  next_attempt_at: Date | string | null;
};
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const toPushRow = (r: Row): PushRow => ({
  accountId: r.account_id,
  vendorId: r.vendor_id,
  status: r.status,
  sentHash: r.sent_hash,
  sentActive: r.sent_active,
  sentAt: iso(r.sent_at),
  attempts: Number(r.attempts),
  lastAttemptAt: iso(r.last_attempt_at),
  lastError: r.last_error,
  retryable: r.retryable,
  nextAttemptAt: iso(r.next_attempt_at),
});

export async function pushRows(db: SqlExecutor, accountId: string): Promise<PushRow[]> {
  const { rows } = await db.query<Row>('SELECT * FROM availability_regulator_push WHERE account_id = $1 ORDER BY vendor_id', [accountId]);
  return rows.map(toPushRow);
}

export async function pushRow(db: SqlExecutor, accountId: string, vendorId: string): Promise<PushRow | null> {
  const { rows } = await db.query<Row>('SELECT * FROM availability_regulator_push WHERE account_id = $1 AND vendor_id = $2', [accountId, vendorId]);
  return rows[0] ? toPushRow(rows[0]) : null;
}

/** A push is waiting in the queue (a change of the account, a manual retry, the sweep). */
export async function markPending(db: SqlExecutor, accountId: string, vendorId: string, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO availability_regulator_push (account_id, vendor_id, status, attempts, updated_at) VALUES ($1, $2, 'pending', 0, $3)
     ON CONFLICT (account_id, vendor_id) DO UPDATE SET status = 'pending', attempts = 0, next_attempt_at = NULL, updated_at = $3`,
    [accountId, vendorId, now],
  );
}

export async function markSent(db: SqlExecutor, accountId: string, vendorId: string, sent: { hash: string; active: boolean }, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO availability_regulator_push (account_id, vendor_id, status, sent_hash, sent_active, sent_at, attempts, last_attempt_at, updated_at)
     VALUES ($1, $2, 'sent', $3, $4, $5, 0, $5, $5)
     ON CONFLICT (account_id, vendor_id) DO UPDATE SET status = 'sent', sent_hash = $3, sent_active = $4, sent_at = $5, attempts = 0,
       last_attempt_at = $5, last_error = NULL, retryable = false, next_attempt_at = NULL, updated_at = $5`,
    [accountId, vendorId, sent.hash, sent.active, now],
  );
}

/** A failed attempt: `retrying` (another attempt planned at `nextAttemptAt`) or `failed` (no more attempts). */
export async function markFailure(
  db: SqlExecutor,
  accountId: string,
  vendorId: string,
  failure: { status: 'retrying' | 'failed'; error: string; attempts: number; retryable: boolean; nextAttemptAt: Date | null },
  now: Date,
): Promise<void> {
  await db.query(
    `INSERT INTO availability_regulator_push (account_id, vendor_id, status, attempts, last_attempt_at, last_error, retryable, next_attempt_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5)
     ON CONFLICT (account_id, vendor_id) DO UPDATE SET status = $3, attempts = $4, last_attempt_at = $5, last_error = $6, retryable = $7,
       next_attempt_at = $8, updated_at = $5`,
    [accountId, vendorId, failure.status, failure.attempts, now, failure.error.slice(0, 2_000), failure.retryable, failure.nextAttemptAt],
  );
}

/** Forgets a push that has nothing left to send (the vendor never received the account, which is no longer a regulator). */
export async function forgetPush(db: SqlExecutor, accountId: string, vendorId: string): Promise<void> {
  await db.query('DELETE FROM availability_regulator_push WHERE account_id = $1 AND vendor_id = $2 AND sent_hash IS NULL', [accountId, vendorId]);
}

/**
 * Pushes the sweep takes up again: failed for a transient reason (the vendor was down), or pending / retrying for
 * longer than `olderThanMs` (a job lost with its queue).
 */
export async function pushesToSweep(db: SqlExecutor, now: Date, olderThanMs: number, limit = 1_000): Promise<{ accountId: string; vendorId: string }[]> {
  const { rows } = await db.query<{ account_id: string; vendor_id: string }>(
    `SELECT account_id, vendor_id FROM availability_regulator_push
      WHERE (status = 'failed' AND retryable) OR (status IN ('pending', 'retrying') AND updated_at < $1)
      ORDER BY updated_at LIMIT $2`,
    [new Date(now.getTime() - olderThanMs), limit],
  );
  return rows.map((r) => ({ accountId: r.account_id, vendorId: r.vendor_id }));
}

/** The state to send is the one the vendor already has: the push is done, nothing is sent. */
export async function markUpToDate(db: SqlExecutor, accountId: string, vendorId: string, now: Date): Promise<void> {
  await db.query(
    `UPDATE availability_regulator_push SET status = 'sent', attempts = 0, last_error = NULL, retryable = false, next_attempt_at = NULL, updated_at = $3
      WHERE account_id = $1 AND vendor_id = $2 AND status <> 'sent'`,
    [accountId, vendorId, now],
  );
}
