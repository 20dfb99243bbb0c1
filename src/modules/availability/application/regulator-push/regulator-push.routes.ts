/**
 * The push status of a regulator account at each end-to-end vendor, for whoever manages the account, and the manual
 * retry:
 * - `GET /api/vendors/regulator-push?accountId=…` — per vendor: pending / retrying / sent / failed (with the error),
 *   the last attempt, the last state sent (active or not) and when; `not-sent` when the vendor has nothing to receive.
 * - `POST /api/vendors/regulator-push/{accountId}/retry` (body `{ "vendorId"? }`) — sends the account's current state
 *   again now, to every end-to-end vendor or to one, even if the vendor should already have it (it may have lost it).
 * Who: the gestionnaire de comptes of one of the account's territories (and the administrateur national); reading also
 * the référent territorial of that territory and the auditeur — as identity's account management.
 */
import { z } from 'zod';
import { grantsOf, hasRole, type Principal } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { pushRows, regulatorAccount, type PushRow } from '../../infrastructure/regulator-push/regulator-push.store.ts';
import { activeAtVendors, isRegulator, territoriesOf, type RegulatorAccount } from './regulator-account.ts';
import { endToEndVendors, requestPushes, type RegulatorPushDeps } from './regulator-push.job.ts';

const accountId = z.uuid({ message: 'attendu : un UUID de compte' });
const statusQuery = z.strictObject({ accountId });
const retryParams = z.strictObject({ accountId });
const retryBody = z.strictObject({ vendorId: z.string().trim().min(1, 'identifiant d’éditeur vide').max(63).optional() });

const managedBy = (p: Principal | null, ...roles: ('gestionnaire-comptes' | 'referent-territorial')[]) => roles.flatMap((r) => grantsOf(p, r).flatMap((g) => g.territories));
const inTerritory = (territories: readonly string[], account: RegulatorAccount) => territoriesOf(account).some((t) => territories.includes(t));

const readPolicy = policy<RegulatorAccount>('gestionnaire de comptes ou référent territorial d’un territoire du compte, administrateur national, auditeur', (p, account) =>
  hasRole(p, 'admin-national', 'auditeur') || inTerritory(managedBy(p, 'gestionnaire-comptes', 'referent-territorial'), account),
);
const retryPolicy = policy<RegulatorAccount>('gestionnaire de comptes d’un territoire du compte, administrateur national', (p, account) =>
  hasRole(p, 'admin-national') || inTerritory(managedBy(p, 'gestionnaire-comptes'), account),
);

export interface VendorPushView {
  readonly vendorId: string;
  readonly vendorName: string;
  readonly status: PushRow['status'] | 'not-sent';
  /** Whether the vendor holds the account as active after the last successful push (null: never sent). */
  readonly sentActive: boolean | null;
  readonly sentAt: string | null;
  readonly attempts: number;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: string | null;
}

export interface RegulatorPushView {
  readonly accountId: string;
  /** Holds regulateur-osnp or ioa: pushed to the end-to-end vendors. */
  readonly regulator: boolean;
  /** What the vendors should hold: the account active (true) or deactivated (false). */
  readonly activeAtVendors: boolean;
  readonly vendors: readonly VendorPushView[];
}

async function viewOf(deps: RegulatorPushDeps, account: RegulatorAccount): Promise<RegulatorPushView> {
  const rows = new Map((await pushRows(deps.readDb, account.accountId)).map((r) => [r.vendorId, r]));
  return {
    accountId: account.accountId,
    regulator: isRegulator(account),
    activeAtVendors: activeAtVendors(account),
    vendors: endToEndVendors(deps.registry).map((v) => {
      const r = rows.get(v.id);
      return {
        vendorId: v.id,
        vendorName: v.name,
        status: r?.status ?? 'not-sent',
        sentActive: r?.sentHash ? r.sentActive : null,
        sentAt: r?.sentAt ?? null,
        attempts: r?.attempts ?? 0,
        lastAttemptAt: r?.lastAttemptAt ?? null,
        lastError: r?.lastError ?? null,
        nextAttemptAt: r?.nextAttemptAt ?? null,
      };
    }),
  };
}

async function loadAccount(deps: RegulatorPushDeps, id: string): Promise<RegulatorAccount> {
  const account = await regulatorAccount(deps.readDb, id);
  if (!account) throw new HttpProblem(problem(404, 'AccountDoesNotExist', `Le compte ${id} n’existe pas (ou n’est pas encore connu des éditeurs : réessayez dans un instant).`));
  return account;
}

export function regulatorPushRoutes(deps: RegulatorPushDeps): RouteDefinition<RegulatorAccount>[] {
  const status: RouteDefinition<RegulatorAccount> = {
    method: 'get',
    path: '/vendors/regulator-push',
    summary: 'Push status of a regulator account at each end-to-end booking vendor (INT_R02)',
    docs: { query: statusQuery },
    policy: readPolicy,
    resource: async (req) => loadAccount(deps, parseInput(statusQuery, req.query, 'query').accountId),
    async handle(_req, res, { resource }) {
      res.json(await viewOf(deps, resource));
    },
  };

  const retry: RouteDefinition<RegulatorAccount> = {
    method: 'post',
    path: '/vendors/regulator-push/:accountId/retry',
    summary: 'Send a regulator account to the end-to-end booking vendors again, now',
    docs: { body: retryBody },
    policy: retryPolicy,
    resource: async (req) => loadAccount(deps, parseInput(retryParams, req.params, 'params').accountId),
    async handle(req, res, { resource }) {
      const body = parseInput(retryBody, req.body ?? {}, 'body');
      if (body.vendorId !== undefined) {
        const vendor = deps.registry.get(body.vendorId);
        if (!vendor) throw new HttpProblem(problem(404, 'VendorDoesNotExist', `Aucun éditeur « ${body.vendorId} » n’est configuré.`));
        if (vendor.capability !== 'end-to-end') {
          throw new HttpProblem(problem(409, 'VendorIsNotEndToEnd', `L’éditeur « ${vendor.name} » n’offre pas la prise de rendez-vous de bout en bout : il ne reçoit pas les comptes régulateurs.`));
        }
      }
      const before = await viewOf(deps, resource);
      if (!before.regulator && before.vendors.every((v) => v.sentActive === null)) {
        throw new HttpProblem(problem(409, 'AccountIsNotARegulator', 'Ce compte n’a ni le rôle régulateur / OSNP ni le rôle IOA : il n’est pas transmis aux éditeurs.'));
      }
      const enqueued = await requestPushes(deps, [resource.accountId], () => `m${deps.newId()}`, { force: true, ...(body.vendorId ? { vendorIds: [body.vendorId] } : {}) });
      res.status(enqueued.length > 0 ? 202 : 200).json({ ...(await viewOf(deps, resource)), enqueued: enqueued.map((e) => e.vendorId) });
    },
  };

  return [status, retry];
}
