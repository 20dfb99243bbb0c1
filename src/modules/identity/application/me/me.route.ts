import { isActiveUser, type UserPrincipal } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { sessionOf } from '../authenticate.ts';
import type { IdentityDeps } from '../identity.deps.ts';
import { loadAccount } from '../accounts.service.ts';

/** GET /api/me — the logged-in person, its roles and the CSRF token of its session. */
export function meRoute(deps: IdentityDeps): RouteDefinition {
  return {
    method: 'get',
    path: '/me',
    summary: 'The logged-in person',
    policy: policy('toute personne connectée', (p) => p?.kind === 'user'),
    async handle(_req, res, { principal }) {
      const session = sessionOf(res)!;
      const user = principal as UserPrincipal;
      const account = isActiveUser(user) ? await loadAccount(deps, user.accountId) : null;
      const named = account && account.status !== 'initial' ? account : null;
      res.setHeader('Cache-Control', 'no-store').json({
        accountId: user.accountId,
        nationalId: user.nationalId,
        givenName: named?.givenName ?? session.givenName,
        familyName: named?.familyName ?? session.familyName,
        email: named?.email ?? session.email,
        status: user.status,
        roles: user.grants.map((g) => ({ role: g.role, territories: g.territories })),
        csrfToken: session.csrfToken,
      });
    },
  };
}
