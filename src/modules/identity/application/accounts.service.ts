/** Account look-ups and the first-login rules shared by the login callback and the linking form. */
import { ConcurrencyError } from '../../../shared-kernel/event-store/event-store.port.ts';
import { metadataFor, type CommandContext } from '../../../shared-kernel/events/envelope.ts';
import type { PscIdentityClaimed } from '../contracts/identity.events.ts';
import { accountStreamName, pscClaimStreamName } from '../contracts/identity.events.ts';
import type { AccountState } from '../domain/account.decider.ts';
import { EFFECTEUR_PROFESSIONS, type PscIdentity } from '../domain/psc-identity.ts';
import type { IdentityDeps } from './identity.deps.ts';

/** The account a PSC identity is linked to, read from its claim stream (consistent, no projection lag). */
export async function accountIdOfNationalId(deps: IdentityDeps, nationalId: string): Promise<string | null> {
  const events = await deps.eventStore.readStream(pscClaimStreamName(nationalId), { limit: 1 });
  const first = events[0] as unknown as PscIdentityClaimed | undefined;
  return first?.data.accountId ?? null;
}

export async function loadAccount(deps: IdentityDeps, accountId: string): Promise<AccountState> {
  return (await deps.accounts.load(accountStreamName(accountId))).state;
}

/**
 * Reserves `nationalId` for `accountId`. Answers the account that holds it: `accountId` when the claim is ours,
 * another one when somebody claimed it first (two first logins racing).
 */
export async function claimNationalId(deps: IdentityDeps, nationalId: string, accountId: string, ctx: CommandContext): Promise<string> {
  try {
    await deps.eventStore.appendToStream(
      pscClaimStreamName(nationalId),
      [{ type: 'PscIdentityClaimed', data: { nationalId, accountId }, metadata: metadataFor(ctx, deps.newId)() }],
      { expectedRevision: 'no-stream' },
    );
    return accountId;
  } catch (error) {
    if (error instanceof ConcurrencyError) return (await accountIdOfNationalId(deps, nationalId)) ?? accountId;
    throw error;
  }
}

/**
 * At login: the account of this identity, creating an effecteur's account at its first login. Answers null when
 * the identity must first be linked to an account created by a gestionnaire de comptes (regulators, OSNP).
 */
export async function accountAtLogin(deps: IdentityDeps, identity: PscIdentity, ctx: CommandContext): Promise<string | null> {
  const existing = await accountIdOfNationalId(deps, identity.nationalId);
  if (existing && (await loadAccount(deps, existing)).status !== 'initial') return existing;
  if (!identity.rpps || !identity.professionCodes.some((c) => EFFECTEUR_PROFESSIONS.includes(c))) return null;
  const accountId = existing ?? (await claimNationalId(deps, identity.nationalId, deps.newId(), ctx));
  try {
    await deps.accounts.handle(
    accountStreamName(accountId),
    {
      type: 'CreateAccount',
      accountId,
      origin: 'professional',
      givenName: identity.givenName,
      familyName: identity.familyName,
      email: identity.email,
      nationalId: identity.nationalId,
      grants: [{ role: 'effecteur', territories: [], effecteurIds: [identity.rpps] }],
    },
    ctx,
    );
  } catch (error) {
    // Two first logins at once: the other one created it.
    if ((await loadAccount(deps, accountId)).status === 'initial') throw error;
  }
  return accountId;
}
