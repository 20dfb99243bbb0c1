import type { RoleGrant } from '../../../shared-kernel/auth/principal.ts';
import type { SqlProjection } from '../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../shared-kernel/sql/sql-database.ts';
import type { AccountEvent } from '../contracts/identity.events.ts';

export const ACCOUNTS_PROJECTION = 'identity_accounts';

/** Read model of accounts for the account management screens: one row per account, roles as JSON. */
export const accountsProjection: SqlProjection<'identity_accounts'> = {
  kind: 'sql',
  name: ACCOUNTS_PROJECTION,
  tables: ['identity_accounts'],
  filter: { streamPrefix: 'identity.account-' },
  async createTables(tx, t) {
    await tx.query(`CREATE TABLE ${t.identity_accounts} (
      account_id   text PRIMARY KEY,
      origin       text NOT NULL,
      national_id  text,
      given_name   text NOT NULL,
      family_name  text NOT NULL,
      email        text,
      status       text NOT NULL,
      grants       jsonb NOT NULL DEFAULT '[]',
      territories  text[] NOT NULL DEFAULT '{}',
      created_at   timestamptz NOT NULL,
      position     bigint NOT NULL
    )`);
    await tx.query(`CREATE INDEX ON ${t.identity_accounts} (lower(email))`);
    await tx.query(`CREATE INDEX ON ${t.identity_accounts} USING gin (territories)`);
  },
  async apply(tx: SqlExecutor, events, t) {
    for (const recorded of events) {
      const event = recorded as unknown as AccountEvent;
      const id = event.data.accountId;
      switch (event.type) {
        case 'AccountCreated':
          await tx.query(
            `INSERT INTO ${t.identity_accounts} (account_id, origin, given_name, family_name, email, status, created_at, position)
             VALUES ($1, $2, $3, $4, $5, 'pending-link', $6, $7) ON CONFLICT (account_id) DO NOTHING`,
            [id, event.data.origin, event.data.givenName, event.data.familyName, event.data.email, recorded.metadata.occurredAt, recorded.position],
          );
          break;
        case 'AccountLinkedToPsc':
          await tx.query(
            `UPDATE ${t.identity_accounts} SET national_id = $2, given_name = $3, family_name = $4, email = coalesce($5, email),
               status = CASE WHEN status = 'deactivated' THEN status ELSE 'active' END, position = $6 WHERE account_id = $1`,
            [id, event.data.nationalId, event.data.givenName, event.data.familyName, event.data.email, recorded.position],
          );
          break;
        case 'RoleGranted':
        case 'RoleRevoked': {
          const { rows } = await tx.query<{ grants: RoleGrant[] }>(`SELECT grants FROM ${t.identity_accounts} WHERE account_id = $1`, [id]);
          const current = rows[0]?.grants ?? [];
          const grants = current.filter((g) => g.role !== event.data.role);
          if (event.type === 'RoleGranted') grants.push({ role: event.data.role, territories: event.data.territories, effecteurIds: event.data.effecteurIds });
          const territories = [...new Set(grants.flatMap((g) => g.territories))];
          await tx.query(`UPDATE ${t.identity_accounts} SET grants = $2, territories = $3, position = $4 WHERE account_id = $1`, [id, JSON.stringify(grants), territories, recorded.position]);
          break;
        }
        case 'AccountDeactivated':
          await tx.query(`UPDATE ${t.identity_accounts} SET status = 'deactivated', position = $2 WHERE account_id = $1`, [id, recorded.position]);
          break;
        case 'AccountReactivated':
          await tx.query(
            `UPDATE ${t.identity_accounts} SET status = CASE WHEN national_id IS NULL THEN 'pending-link' ELSE 'active' END, position = $2 WHERE account_id = $1`,
            [id, recorded.position],
          );
          break;
      }
    }
  },
};

export interface AccountRow {
  readonly accountId: string;
  readonly origin: string;
  readonly nationalId: string | null;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string | null;
  readonly status: 'pending-link' | 'active' | 'deactivated';
  readonly roles: readonly RoleGrant[];
}

/** Accounts, optionally only those with a role on one of `territories`. */
export async function queryAccounts(db: SqlExecutor, filter: { territories?: readonly string[]; email?: string }): Promise<AccountRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.territories) {
    params.push([...filter.territories]);
    where.push(`territories && $${params.length}`);
  }
  if (filter.email) {
    params.push(filter.email.toLowerCase());
    where.push(`lower(email) = $${params.length}`);
  }
  const { rows } = await db.query<{ account_id: string; origin: string; national_id: string | null; given_name: string; family_name: string; email: string | null; status: AccountRow['status']; grants: RoleGrant[] }>(
    `SELECT account_id, origin, national_id, given_name, family_name, email, status, grants FROM identity_accounts
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY family_name, given_name, account_id LIMIT 1000`,
    params,
  );
  return rows.map((r) => ({
    accountId: r.account_id,
    origin: r.origin,
    nationalId: r.national_id,
    givenName: r.given_name,
    familyName: r.family_name,
    email: r.email,
    status: r.status,
    roles: r.grants,
  }));
}
