/**
 * Demo accounts for every role, linked to the development provider's demo identities, so that each demo login
 * lands on its home. 'nouvelle-osnp' gets an account waiting to be linked (first-login flow); 'nouvel-effecteur'
 * gets none (its first login creates it).
 */
import type { Role, RoleGrant } from '../../../../shared-kernel/auth/principal.ts';
import { systemActor, type CommandContext } from '../../../../shared-kernel/events/envelope.ts';
import { accountStreamName } from '../../contracts/identity.events.ts';
import { demoIdentityByRole, type DemoRole } from '../../infrastructure/dev-idp/demo-identities.ts';
import { claimNationalId } from '../accounts.service.ts';
import type { IdentityDeps } from '../identity.deps.ts';

export const DEMO_TERRITORY = '31';
const DEMO_EFFECTEUR_RPPS = '10000000009';

const grant = (role: Role, territories: string[] = [DEMO_TERRITORY], effecteurIds: string[] = []): RoleGrant => ({ role, territories, effecteurIds });

const DEMO_GRANTS: Partial<Record<DemoRole, RoleGrant>> = {
  'regulateur-osnp': grant('regulateur-osnp'),
  ioa: grant('ioa'),
  effecteur: grant('effecteur', [], [DEMO_EFFECTEUR_RPPS]),
  delegataire: grant('delegataire', [], [DEMO_EFFECTEUR_RPPS]),
  'gestionnaire-structure': grant('gestionnaire-structure'),
  'gestionnaire-comptes': grant('gestionnaire-comptes'),
  'referent-territorial': grant('referent-territorial'),
  'admin-national': grant('admin-national', []),
  auditeur: grant('auditeur', []),
  'nouvelle-osnp': grant('regulateur-osnp'),
};

export async function seedDemoAccounts(deps: IdentityDeps): Promise<void> {
  const ctx: CommandContext = { actor: systemActor, correlationId: deps.newId(), now: deps.clock() };
  for (const [role, g] of Object.entries(DEMO_GRANTS) as [DemoRole, RoleGrant][]) {
    const identity = demoIdentityByRole(role);
    const accountId = deps.newId();
    const linked = role !== 'nouvelle-osnp';
    if (linked) await claimNationalId(deps, identity.nationalId, accountId, ctx);
    await deps.accounts.handle(
      accountStreamName(accountId),
      {
        type: 'CreateAccount',
        accountId,
        origin: role === 'effecteur' ? 'professional' : 'regulation',
        givenName: identity.givenName,
        familyName: identity.familyName,
        email: identity.email,
        grants: [g],
        ...(linked ? { nationalId: identity.nationalId } : {}),
      },
      ctx,
    );
  }
}
