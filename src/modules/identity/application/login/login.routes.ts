/**
 * Pro Santé Connect login: /auth/login → the provider → /auth/callback → a new session; /auth/logout ends the
 * session here and at the provider (RP-initiated logout with id_token_hint).
 */
import type { Request } from 'express';
import { z } from 'zod';
import { anonymousAllowed, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { pscIdentityFromClaims } from '../../domain/psc-identity.ts';
import { newToken } from '../../infrastructure/session-store.ts';
import { accountAtLogin, loadAccount } from '../accounts.service.ts';
import { cookieOptions, LOGIN_COOKIE, readCookie, SESSION_COOKIE, sessionCookieOptions, sessionOf } from '../authenticate.ts';
import type { IdentityDeps } from '../identity.deps.ts';

/** Only a path of this site: never an absolute URL (no open redirect). */
const returnTo = z
  .string()
  .max(500)
  .regex(/^\/(?![/\\])[^\s]*$/, 'attendu : un chemin du site commençant par /')
  .default('/');

const loginQuery = z.strictObject({ returnTo });
const callbackQuery = z.object({
  code: z.string().max(2000).optional(),
  state: z.string().max(500).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
  iss: z.string().max(500).optional(),
});

function currentUrl(deps: IdentityDeps, req: Request): URL {
  return new URL(req.originalUrl, deps.settings.publicUrl);
}

export function loginRoutes(deps: IdentityDeps): RouteDefinition<any>[] {
  return [
    {
      method: 'get',
      path: '/login',
      summary: 'Start a Pro Santé Connect login',
      policy: anonymousAllowed,
      async handle(req, res) {
        const query = parseInput(loginQuery, req.query, 'query');
        const login = await deps.relyingParty().beginLogin();
        const browserBinding = newToken();
        await deps.sessions.savePendingLogin({ state: login.state, nonce: login.nonce, codeVerifier: login.codeVerifier, returnTo: query.returnTo, browserBinding });
        res.cookie(LOGIN_COOKIE, browserBinding, cookieOptions(deps, 10 * 60_000));
        res.redirect(302, login.url.href);
      },
    },
    {
      method: 'get',
      path: '/callback',
      summary: 'Pro Santé Connect redirects back here with a code',
      policy: anonymousAllowed,
      async handle(req, res) {
        const query = parseInput(callbackQuery, req.query, 'query');
        if (query.error) {
          throw new HttpProblem(problem(400, 'LoginRefusedByProvider', `Pro Santé Connect a refusé la connexion : ${query.error_description ?? query.error}`));
        }
        const binding = readCookie(req, LOGIN_COOKIE);
        const pending = query.state && binding ? await deps.sessions.takePendingLogin(query.state, binding) : null;
        if (!pending) {
          throw new HttpProblem(problem(400, 'LoginStateInvalid', 'Cette tentative de connexion est inconnue, expirée ou déjà utilisée : recommencez la connexion.'));
        }
        res.clearCookie(LOGIN_COOKIE, cookieOptions(deps));
        let claims: Record<string, unknown>;
        let idToken: string;
        try {
          ({ claims, idToken } = await deps.relyingParty().completeLogin(currentUrl(deps, req), { state: query.state!, nonce: pending.nonce, codeVerifier: pending.codeVerifier }));
        } catch (error) {
          deps.logger.warn({ err: error }, 'Pro Santé Connect login refused');
          throw new HttpProblem(problem(400, 'LoginFailed', 'La réponse de Pro Santé Connect n’a pas pu être vérifiée : recommencez la connexion.'));
        }
        const identity = pscIdentityFromClaims(claims);
        const ctx = commandContext(req, deps.clock);
        const accountId = await accountAtLogin(deps, identity, { ...ctx, actor: { accountId: `psc:${identity.nationalId}`, role: 'none' } });
        if (accountId && (await loadAccount(deps, accountId)).status === 'deactivated') {
          throw new HttpProblem(problem(403, 'AccountDeactivated', 'Votre compte est désactivé : contactez votre gestionnaire de comptes.'));
        }
        // A new session (and token) at every login: a session id planted before login is worthless.
        const previous = sessionOf(res);
        if (previous) await deps.sessions.destroy(previous.id);
        const { token } = await deps.sessions.create({
          nationalId: identity.nationalId,
          accountId,
          givenName: identity.givenName,
          familyName: identity.familyName,
          email: identity.email,
          professionCodes: identity.professionCodes,
          idToken,
        });
        res.cookie(SESSION_COOKIE, token, sessionCookieOptions(deps));
        deps.logger.info({ accountId, linkRequired: accountId === null }, 'login');
        res.redirect(302, pending.returnTo);
      },
    },
    {
      method: 'post',
      path: '/logout',
      summary: 'End the session here and at Pro Santé Connect',
      policy: anonymousAllowed,
      async handle(_req, res) {
        const session = sessionOf(res);
        res.clearCookie(SESSION_COOKIE, sessionCookieOptions(deps));
        if (!session) {
          res.json({ redirectTo: '/' });
          return;
        }
        await deps.sessions.destroy(session.id);
        const url = await deps.relyingParty().logoutUrl(session.idToken, newToken());
        res.json({ redirectTo: url.href });
      },
    },
    {
      method: 'get',
      path: '/logged-out',
      summary: 'Pro Santé Connect returns here after logout',
      policy: anonymousAllowed,
      handle(req, res) {
        if (typeof req.query.state !== 'string' || req.query.state === '') {
          throw new HttpProblem(problem(400, 'LogoutStateMissing', 'Retour de déconnexion sans paramètre state.'));
        }
        res.redirect(302, '/?deconnecte=1');
      },
    },
  ];
}

