/**
 * Server-side sessions and pending logins in the read database. The browser holds only a random token; the
 * table keeps its SHA-256, so a database dump gives no usable session. Idle and absolute timeouts are checked
 * on every read; a login state is consumed once (a replayed `state` finds nothing).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SqlDatabase } from '../../../shared-kernel/sql/sql-database.ts';

export interface Session {
  readonly id: string;
  readonly nationalId: string;
  readonly accountId: string | null;
  readonly givenName: string;
  readonly familyName: string;
  readonly email: string | null;
  readonly professionCodes: readonly string[];
  readonly idToken: string;
  readonly csrfToken: string;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
}

export interface PendingLogin {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  readonly returnTo: string;
  readonly browserBinding: string;
}

export interface SessionTimeouts {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = () => randomBytes(32).toString('base64url');

export async function createSessionTables(db: SqlDatabase): Promise<void> {
  await db.exec(`
    CREATE TABLE IF NOT EXISTS identity_sessions (
      token_hash text PRIMARY KEY,
      national_id text NOT NULL,
      account_id text,
      given_name text NOT NULL,
      family_name text NOT NULL,
      email text,
      profession_codes text[] NOT NULL DEFAULT '{}',
      id_token text NOT NULL,
      csrf_token text NOT NULL,
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL
    );
    CREATE INDEX IF NOT EXISTS identity_sessions_account ON identity_sessions (account_id);
    CREATE TABLE IF NOT EXISTS identity_pending_logins (
      state_hash text PRIMARY KEY,
      nonce text NOT NULL,
      code_verifier text NOT NULL,
      return_to text NOT NULL,
      browser_binding_hash text NOT NULL,
      created_at timestamptz NOT NULL
    );
  `);
}

interface SessionRow {
  national_id: string;
  account_id: string | null;
  given_name: string;
  family_name: string;
  email: string | null;
  profession_codes: string[];
  id_token: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
}

/**
 * How long a session read from the database is reused by this process without reading it again (every API call
 * of a logged-in user reads its session). Logout, deactivation and account linking in this process take effect at
 * once (the entry is dropped); in another process of a multi-node deployment, within this delay.
 */
export const SESSION_CACHE_MS = 2_000;
const SESSION_CACHE_MAX = 10_000;

export class SessionStore {
  readonly #db: SqlDatabase;
  readonly #timeouts: SessionTimeouts;
  readonly #clock: () => Date;
  /** Sessions recently read, by token hash (insertion order = age, for eviction). */
  readonly #recent = new Map<string, { session: Session; readAt: number }>();

  constructor(db: SqlDatabase, timeouts: SessionTimeouts, clock: () => Date) {
    this.#db = db;
    this.#timeouts = timeouts;
    this.#clock = clock;
  }

  /** A pending login lives 10 minutes; `browserBinding` is the random value of a cookie set on the same browser. */
  async savePendingLogin(login: PendingLogin): Promise<void> {
    const now = this.#clock();
    await this.#db.query(`DELETE FROM identity_pending_logins WHERE created_at < $1`, [new Date(now.getTime() - 10 * 60_000)]);
    await this.#db.query(
      `INSERT INTO identity_pending_logins (state_hash, nonce, code_verifier, return_to, browser_binding_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [hash(login.state), login.nonce, login.codeVerifier, login.returnTo, hash(login.browserBinding), now],
    );
  }

  /** Consumes the pending login of `state` (once), if it was started by the same browser less than 10 minutes ago. */
  async takePendingLogin(state: string, browserBinding: string): Promise<Omit<PendingLogin, 'state' | 'browserBinding'> | null> {
    const { rows } = await this.#db.query<{ nonce: string; code_verifier: string; return_to: string; browser_binding_hash: string; created_at: Date }>(
      `DELETE FROM identity_pending_logins WHERE state_hash = $1 RETURNING nonce, code_verifier, return_to, browser_binding_hash, created_at`,
      [hash(state)],
    );
    const row = rows[0];
    if (!row || row.browser_binding_hash !== hash(browserBinding)) return null;
    if (this.#clock().getTime() - new Date(row.created_at).getTime() > 10 * 60_000) return null;
    return { nonce: row.nonce, codeVerifier: row.code_verifier, returnTo: row.return_to };
  }

  /** Opens a new session (a new token every login: no session fixation). Returns the browser's token. */
  async create(data: Omit<Session, 'id' | 'csrfToken' | 'createdAt' | 'lastSeenAt'>): Promise<{ token: string; session: Session }> {
    const token = newToken();
    const now = this.#clock();
    const session: Session = { ...data, id: hash(token), csrfToken: newToken(), createdAt: now, lastSeenAt: now };
    await this.#db.query(
      `INSERT INTO identity_sessions (token_hash, national_id, account_id, given_name, family_name, email, profession_codes, id_token, csrf_token, created_at, last_seen_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
      [session.id, data.nationalId, data.accountId, data.givenName, data.familyName, data.email, [...data.professionCodes], data.idToken, session.csrfToken, now],
    );
    return { token, session };
  }

  /** The live session of a token, touched; null (and deleted) when idle or too old. */
  async get(token: string): Promise<Session | null> {
    const id = hash(token);
    const cached = this.#recent.get(id);
    const nowMs = this.#clock().getTime();
    if (cached && nowMs - cached.readAt < SESSION_CACHE_MS) return cached.session;
    this.#recent.delete(id);
    const session = await this.#read(id);
    if (session) {
      if (this.#recent.size >= SESSION_CACHE_MAX) this.#recent.delete(this.#recent.keys().next().value!);
      this.#recent.set(id, { session, readAt: nowMs });
    }
    return session;
  }

  async #read(id: string): Promise<Session | null> {
    const { rows } = await this.#db.query<SessionRow>(`SELECT * FROM identity_sessions WHERE token_hash = $1`, [id]);
    const row = rows[0];
    if (!row) return null;
    const now = this.#clock();
    const createdAt = new Date(row.created_at);
    const lastSeenAt = new Date(row.last_seen_at);
    if (now.getTime() - lastSeenAt.getTime() > this.#timeouts.idleMs || now.getTime() - createdAt.getTime() > this.#timeouts.absoluteMs) {
      await this.destroy(id);
      return null;
    }
    // Touch at most once a minute: a busy page does not write on every request.
    if (now.getTime() - lastSeenAt.getTime() > 60_000) await this.#db.query(`UPDATE identity_sessions SET last_seen_at = $2 WHERE token_hash = $1`, [id, now]);
    return {
      id,
      nationalId: row.national_id,
      accountId: row.account_id,
      givenName: row.given_name,
      familyName: row.family_name,
      email: row.email,
      professionCodes: row.profession_codes,
      idToken: row.id_token,
      csrfToken: row.csrf_token,
      createdAt,
      lastSeenAt: now,
    };
  }

  async setAccount(id: string, accountId: string): Promise<void> {
    this.#recent.delete(id);
    await this.#db.query(`UPDATE identity_sessions SET account_id = $2 WHERE token_hash = $1`, [id, accountId]);
  }

  async destroy(id: string): Promise<void> {
    this.#recent.delete(id);
    await this.#db.query(`DELETE FROM identity_sessions WHERE token_hash = $1`, [id]);
  }

  /** Ends every session of an account (deactivation). */
  async destroyAccountSessions(accountId: string): Promise<void> {
    for (const [id, entry] of this.#recent) if (entry.session.accountId === accountId) this.#recent.delete(id);
    await this.#db.query(`DELETE FROM identity_sessions WHERE account_id = $1`, [accountId]);
  }
}
