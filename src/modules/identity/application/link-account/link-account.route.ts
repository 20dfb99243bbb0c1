import { z } from 'zod';
import type { UserPrincipal } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { accountStreamName } from '../../contracts/identity.events.ts';
import { queryAccounts } from '../../infrastructure/accounts.projection.ts';
import { claimNationalId } from '../accounts.service.ts';
import { sessionOf } from '../authenticate.ts';
import type { IdentityDeps } from '../identity.deps.ts';

const linkBody = z.strictObject({
  givenName: z.string().trim().min(1, 'prénom requis').max(100),
  familyName: z.string().trim().min(1, 'nom requis').max(100),
  email: z.email({ message: 'attendu : une adresse e-mail professionnelle' }).max(200),
});

/**
 * POST /api/identity/link — first login of a regulator/OSNP: links the PSC identity to the account its
 * gestionnaire de comptes created for this professional e-mail.
 */
export function linkAccountRoute(deps: IdentityDeps): RouteDefinition {
  return {
    method: 'post',
    path: '/identity/link',
    summary: 'Link a first PSC login to the account created for it',
    docs: { body: linkBody },
    policy: policy('une première connexion non encore liée à un compte', (p) => p?.kind === 'user' && p.status === 'link-required'),
    async handle(req, res, { principal }) {
      const body = parseInput(linkBody, req.body ?? {}, 'body');
      const user = principal as UserPrincipal;
      const candidates = (await queryAccounts(deps.readDb, { email: body.email })).filter((a) => a.status === 'pending-link' && a.origin === 'regulation');
      const account = candidates[0];
      if (!account) {
        throw new HttpProblem(
          problem(404, 'NoPendingAccountForEmail', `Aucun compte en attente pour ${body.email} : demandez à votre gestionnaire de comptes de le créer avec cette adresse.`),
        );
      }
      const ctx = commandContext(req, deps.clock);
      const holder = await claimNationalId(deps, user.nationalId, account.accountId, ctx);
      if (holder !== account.accountId) {
        throw new HttpProblem(problem(409, 'PscIdentityAlreadyLinked', 'Votre identité Pro Santé Connect est déjà liée à un autre compte.'));
      }
      await deps.accounts.handle(
        accountStreamName(account.accountId),
        { type: 'LinkToPsc', nationalId: user.nationalId, givenName: body.givenName, familyName: body.familyName, email: body.email.toLowerCase() },
        ctx,
      );
      await deps.sessions.setAccount(sessionOf(res)!.id, account.accountId);
      res.json({ accountId: account.accountId });
    },
  };
}
