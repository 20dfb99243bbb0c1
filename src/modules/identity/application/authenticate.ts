/**
 * Resolves the principal of each request from its session cookie, on every request: an expired session, an
 * unknown (forged) token or an account deactivated mid-session gives no principal. State-changing requests of
 * a cookie session must carry its CSRF token in `X-CSRF-Token`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { TLSSocket } from 'node:tls';
import type { MachinePrincipal, UserPrincipal } from '../../../shared-kernel/auth/principal.ts';
import { accountStreamName, clientStreamName } from '../contracts/identity.events.ts';
import { CLIENT_ID } from '../domain/client.decider.ts';
import { verifySecret } from '../infrastructure/client-secrets.ts';
import { HttpProblem, problem } from '../../../shared-kernel/http/problem-details.ts';
import { SESSION_CACHE_MS, type Session } from '../infrastructure/session-store.ts';
import { accountIdOfNationalId, loadAccount } from './accounts.service.ts';
import type { IdentityDeps } from './identity.deps.ts';

export const SESSION_COOKIE = 'sas_session';
export const LOGIN_COOKIE = 'sas_login';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return null;
}

export function cookieOptions(deps: IdentityDeps, maxAgeMs?: number) {
  return { httpOnly: true, secure: deps.settings.secureCookies, sameSite: 'lax' as const, path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}

/** The session cookie's: SameSite as configured (`none` lets an embedding LRM page of another site read the API). */
export function sessionCookieOptions(deps: IdentityDeps, maxAgeMs?: number) {
  return { ...cookieOptions(deps, maxAgeMs), sameSite: deps.settings.sessionSameSite };
}

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Account states recently read, per account handler (so per platform): a logged-in user's every API call needs
 * their grants. Reused for SESSION_CACHE_MS; a deactivation ends the account's sessions at once anyway.
 */
const recentAccounts = new WeakMap<object, Map<string, { state: Awaited<ReturnType<typeof loadAccount>>; readAt: number }>>();

async function loadAccountRecent(deps: IdentityDeps, accountId: string) {
  let cache = recentAccounts.get(deps.accounts);
  if (!cache) recentAccounts.set(deps.accounts, (cache = new Map()));
  const key = accountStreamName(accountId);
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && now - hit.readAt < SESSION_CACHE_MS) return hit.state;
  const state = await loadAccount(deps, accountId);
  if (cache.size >= 10_000) cache.delete(cache.keys().next().value!);
  cache.delete(key);
  cache.set(key, { state, readAt: now });
  return state;
}

/** Drops an account's cached state: called after every command on the account in this process. */
export function forgetRecentAccount(accounts: object, streamName: string): void {
  recentAccounts.get(accounts)?.delete(streamName);
}

/** The principal of a live session, or null when its account is gone or deactivated (the session is ended). */
export async function principalOfSession(deps: IdentityDeps, session: Session): Promise<UserPrincipal | null> {
  const rpps = session.nationalId.startsWith('8') ? session.nationalId.slice(1) : null;
  let accountId = session.accountId ?? (await accountIdOfNationalId(deps, session.nationalId));
  if (!accountId) return { kind: 'user', accountId: null, nationalId: session.nationalId, rpps, status: 'link-required', grants: [] };
  const account = await loadAccountRecent(deps, accountId);
  if (account.status === 'initial' || account.status === 'pending-link') {
    accountId = null;
    return { kind: 'user', accountId: null, nationalId: session.nationalId, rpps, status: 'link-required', grants: [] };
  }
  if (account.status === 'deactivated') {
    await deps.sessions.destroy(session.id);
    return null;
  }
  if (!session.accountId) await deps.sessions.setAccount(session.id, accountId);
  return { kind: 'user', accountId, nationalId: session.nationalId, rpps, status: 'active', grants: account.grants };
}

const refuse = (detail: string) => new HttpProblem(problem(401, 'ClientAuthenticationFailed', detail));

/**
 * A machine client: HTTP Basic with its platform-generated secret (development, integration), or a TLS client
 * certificate signed by the configured CA whose CN is the client id (production). The client's stream is read
 * at each request, so a rotation or a revocation takes effect at once.
 */
async function machinePrincipal(deps: IdentityDeps, req: Request): Promise<MachinePrincipal | null> {
  const authorization = req.header('authorization');
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    if (colon < 1 || !CLIENT_ID.test(clientId) || secret.length === 0 || secret.length > 200) throw refuse('Identifiants de client mal formés.');
    const { state } = await deps.clients.load(clientStreamName(clientId));
    if (state.status !== 'active' || !state.secretHash || !(await verifySecret(secret, state.secretHash))) {
      throw refuse('Client inconnu, révoqué, ou secret invalide.');
    }
    return { kind: 'machine', clientId, clientKind: state.kind };
  }
  const socket = req.socket as TLSSocket;
  if (typeof socket.getPeerCertificate === 'function') {
    const certificate = socket.getPeerCertificate();
    if (!certificate || Object.keys(certificate).length === 0) return null;
    if (!socket.authorized) throw refuse(`Certificat client refusé : ${String(socket.authorizationError ?? 'non signé par l’autorité attendue')}.`);
    const cn = typeof certificate.subject?.CN === 'string' ? certificate.subject.CN : '';
    const ou = certificate.subject?.OU;
    if (deps.settings.clientCertOu && ou !== deps.settings.clientCertOu) throw refuse('Certificat client refusé : unité organisationnelle (OU) inattendue.');
    if (!CLIENT_ID.test(cn)) throw refuse('Certificat client refusé : le CN n’est pas un identifiant de client.');
    const { state } = await deps.clients.load(clientStreamName(cn));
    if (state.status !== 'active') throw refuse('Client inconnu ou révoqué.');
    return { kind: 'machine', clientId: cn, clientKind: state.kind };
  }
  return null;
}

export function authenticate(deps: IdentityDeps): RequestHandler {
  return async (req, res, next) => {
    try {
      const machine = await machinePrincipal(deps, req);
      if (machine) {
        res.locals.principal = machine;
        res.locals.actor = { accountId: `client:${machine.clientId}`, role: machine.clientKind };
        return next();
      }
      const token = readCookie(req, SESSION_COOKIE);
      if (!token) return next();
      const session = await deps.sessions.get(token);
      if (!session) {
        res.clearCookie(SESSION_COOKIE, sessionCookieOptions(deps));
        return next();
      }
      if (!SAFE_METHODS.has(req.method)) {
        const csrf = req.header('x-csrf-token');
        if (!csrf || !sameToken(csrf, session.csrfToken)) {
          throw new HttpProblem(problem(403, 'CsrfTokenInvalid', 'Jeton anti-CSRF absent ou invalide : rechargez la page et recommencez.'));
        }
      }
      const principal = await principalOfSession(deps, session);
      if (!principal) {
        res.clearCookie(SESSION_COOKIE, sessionCookieOptions(deps));
        return next();
      }
      res.locals.principal = principal;
      res.locals.session = session;
      res.locals.actor = { accountId: principal.accountId ?? `psc:${principal.nationalId}`, role: principal.grants.map((g) => g.role).join(',') || 'none' };
      next();
    } catch (error) {
      next(error);
    }
  };
}

export const sessionOf = (res: Response): Session | null => (res.locals.session as Session | undefined) ?? null;
