/** Account management: a gestionnaire de comptes lists, creates and deactivates regulator/OSNP accounts of its territory. */
import { z } from 'zod';
import { grantsOf, hasRole, hasRoleIn, type Principal } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { commandContext } from '../../../../shared-kernel/http/request-context.ts';
import { accountStreamName } from '../../contracts/identity.events.ts';
import type { AccountState } from '../../domain/account.decider.ts';
import { queryAccounts } from '../../infrastructure/accounts.projection.ts';
import { loadAccount } from '../accounts.service.ts';
import type { IdentityDeps } from '../identity.deps.ts';

const territory = z.string().regex(/^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8])$/, 'attendu : un code de département (ex. 31, 2A, 974)');
const listQuery = z.strictObject({ territory: territory.optional() });
const createBody = z.strictObject({
  givenName: z.string().trim().min(1, 'prénom requis').max(100),
  familyName: z.string().trim().min(1, 'nom requis').max(100),
  email: z.email({ message: 'attendu : une adresse e-mail professionnelle' }).max(200),
  role: z.enum(['regulateur-osnp', 'ioa'], { message: 'attendu : regulateur-osnp ou ioa' }),
  territory,
});
const accountParams = z.strictObject({ accountId: z.uuid({ message: 'attendu : un UUID' }) });

/** Territories a principal manages accounts of: its gestionnaire-comptes grants. */
const managedTerritories = (p: Principal | null) => grantsOf(p, 'gestionnaire-comptes').flatMap((g) => g.territories);
const readTerritories = (p: Principal | null) => [...managedTerritories(p), ...grantsOf(p, 'referent-territorial').flatMap((g) => g.territories)];
const territoryParam = (value: unknown) => (typeof value === 'string' ? value : undefined);

export function manageAccountsRoutes(deps: IdentityDeps): RouteDefinition<any>[] {
  const list: RouteDefinition<string | undefined> = {
    method: 'get',
    path: '/identity/accounts',
    summary: 'List accounts (of a territory)',
    docs: { query: listQuery },
    policy: policy('gestionnaire de comptes ou référent territorial du territoire, administrateur national, auditeur', (p, t) => {
      if (hasRole(p, 'admin-national', 'auditeur')) return true;
      if (!hasRole(p, 'gestionnaire-comptes', 'referent-territorial')) return false;
      return t === undefined || readTerritories(p).includes(t);
    }),
    resource: async (req) => territoryParam(req.query.territory),
    async handle(req, res, { principal }) {
      const query = parseInput(listQuery, req.query, 'query');
      const national = hasRole(principal, 'admin-national', 'auditeur');
      const territories = query.territory ? [query.territory] : national ? undefined : readTerritories(principal);
      const items = await queryAccounts(deps.readDb, territories ? { territories } : {});
      res.json({ items });
    },
  };

  const create: RouteDefinition<string | undefined> = {
    method: 'post',
    path: '/identity/accounts',
    summary: 'Create a regulator/OSNP or IOA account',
    docs: { body: createBody },
    policy: policy('gestionnaire de comptes du territoire, administrateur national', (p, t) =>
      hasRole(p, 'admin-national') || (t !== undefined && hasRoleIn(p, 'gestionnaire-comptes', t)),
    ),
    resource: async (req) => territoryParam((req.body as { territory?: unknown } | undefined)?.territory),
    async handle(req, res) {
      const body = parseInput(createBody, req.body ?? {}, 'body');
      const existing = (await queryAccounts(deps.readDb, { email: body.email })).filter((a) => a.status !== 'deactivated');
      if (existing.length > 0) throw new HttpProblem(problem(409, 'EmailAlreadyUsed', `Un compte actif utilise déjà l’adresse ${body.email}.`));
      const accountId = deps.newId();
      await deps.accounts.handle(
        accountStreamName(accountId),
        {
          type: 'CreateAccount',
          accountId,
          origin: 'regulation',
          givenName: body.givenName,
          familyName: body.familyName,
          email: body.email.toLowerCase(),
          grants: [{ role: body.role, territories: [body.territory], effecteurIds: [] }],
        },
        commandContext(req, deps.clock),
      );
      res.status(201).location(`/api/identity/accounts/${accountId}`).json({ accountId });
    },
  };

  const deactivate: RouteDefinition<AccountState> = {
    method: 'post',
    path: '/identity/accounts/:accountId/deactivate',
    summary: 'Deactivate an account',
    policy: policy('gestionnaire de comptes du territoire du compte (régulateurs, IOA), administrateur national', (p, account) => {
      if (hasRole(p, 'admin-national')) return true;
      if (account.status === 'initial') return false;
      const managed = managedTerritories(p);
      return (
        account.grants.length > 0 &&
        account.grants.every((g) => (g.role === 'regulateur-osnp' || g.role === 'ioa') && g.territories.some((t) => managed.includes(t)))
      );
    }),
    async resource(req) {
      const { accountId } = parseInput(accountParams, req.params, 'params');
      const account = await loadAccount(deps, accountId);
      if (account.status === 'initial') throw new HttpProblem(problem(404, 'AccountDoesNotExist', `Le compte ${accountId} n’existe pas.`));
      return account;
    },
    async handle(req, res, { resource }) {
      if (resource.status === 'initial') return;
      const reason = typeof (req.body as { reason?: unknown } | undefined)?.reason === 'string' ? String((req.body as { reason: string }).reason).slice(0, 200) : null;
      await deps.accounts.handle(accountStreamName(resource.accountId), { type: 'DeactivateAccount', reason }, commandContext(req, deps.clock));
      await deps.sessions.destroyAccountSessions(resource.accountId);
      res.status(204).end();
    },
  };

  return [list, create, deactivate];
}
