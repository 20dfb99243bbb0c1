/**
 * The account aggregate: created (by a gestionnaire de comptes, or at an effecteur's first PSC login), linked
 * to one PSC identity, given roles on territories, deactivated. Pure: rules only, clock in the command.
 */
import { conflictError, validationError, type DomainError } from '../../../shared-kernel/errors/result.ts';
import type { Decider } from '../../../shared-kernel/decider/decider.ts';
import { ROLES, type Role, type RoleGrant } from '../../../shared-kernel/auth/principal.ts';
import type { AccountEvent } from '../contracts/identity.events.ts';

export type AccountState =
  | { readonly status: 'initial' }
  | {
      readonly status: 'pending-link' | 'active' | 'deactivated';
      readonly accountId: string;
      readonly origin: 'regulation' | 'professional';
      readonly givenName: string;
      readonly familyName: string;
      readonly email: string | null;
      readonly nationalId: string | null;
      readonly grants: readonly RoleGrant[];
    };

export type AccountCommand =
  | {
      readonly type: 'CreateAccount';
      readonly accountId: string;
      readonly origin: 'regulation' | 'professional';
      readonly givenName: string;
      readonly familyName: string;
      readonly email: string | null;
      readonly grants: readonly RoleGrant[];
      /** For an account created at first login: linked at once. */
      readonly nationalId?: string;
    }
  | { readonly type: 'LinkToPsc'; readonly nationalId: string; readonly givenName: string; readonly familyName: string; readonly email: string | null }
  | { readonly type: 'GrantRole'; readonly grant: RoleGrant }
  | { readonly type: 'RevokeRole'; readonly role: Role }
  | { readonly type: 'DeactivateAccount'; readonly reason: string | null }
  | { readonly type: 'ReactivateAccount' };

const TERRITORY = /^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8])$/;
const NATIONAL_ROLES: readonly Role[] = ['admin-national', 'auditeur', 'effecteur', 'delegataire'];

function checkGrant(grant: RoleGrant): DomainError | null {
  if (!ROLES.includes(grant.role)) return validationError('UnknownRole', `Rôle inconnu : ${grant.role}`);
  const bad = grant.territories.find((t) => !TERRITORY.test(t));
  if (bad !== undefined) return validationError('InvalidTerritory', `Territoire invalide : ${bad} (attendu : un code de département, ex. 31, 2A, 974)`);
  if (!NATIONAL_ROLES.includes(grant.role) && grant.territories.length === 0) {
    return validationError('RoleNeedsTerritory', `Le rôle ${grant.role} s’exerce sur au moins un territoire (département).`);
  }
  return null;
}

const grantEvents = (accountId: string, grants: readonly RoleGrant[]): AccountEvent[] =>
  grants.map((g) => ({ type: 'RoleGranted', data: { accountId, role: g.role, territories: [...g.territories], effecteurIds: [...g.effecteurIds] } }));

function decide(command: AccountCommand, state: AccountState): AccountEvent[] {
  if (command.type === 'CreateAccount') {
    if (state.status !== 'initial') throw conflictError('AccountAlreadyExists', `Le compte ${command.accountId} existe déjà.`);
    for (const g of command.grants) {
      const problem = checkGrant(g);
      if (problem) throw problem;
    }
    const { accountId, origin, givenName, familyName, email } = command;
    const events: AccountEvent[] = [{ type: 'AccountCreated', data: { accountId, origin, givenName, familyName, email } }];
    if (command.nationalId) events.push({ type: 'AccountLinkedToPsc', data: { accountId, nationalId: command.nationalId, givenName, familyName, email } });
    return [...events, ...grantEvents(accountId, command.grants)];
  }
  if (state.status === 'initial') throw conflictError('AccountDoesNotExist', 'Ce compte n’existe pas.');
  const { accountId } = state;
  switch (command.type) {
    case 'LinkToPsc':
      if (state.nationalId === command.nationalId) return [];
      if (state.status !== 'pending-link') throw conflictError('AccountAlreadyLinked', 'Ce compte est déjà lié à une identité Pro Santé Connect.');
      return [{ type: 'AccountLinkedToPsc', data: { accountId, nationalId: command.nationalId, givenName: command.givenName, familyName: command.familyName, email: command.email } }];
    case 'GrantRole': {
      const problem = checkGrant(command.grant);
      if (problem) throw problem;
      if (state.status === 'deactivated') throw conflictError('AccountIsDeactivated', 'Ce compte est désactivé.');
      return grantEvents(accountId, [command.grant]);
    }
    case 'RevokeRole':
      return state.grants.some((g) => g.role === command.role) ? [{ type: 'RoleRevoked', data: { accountId, role: command.role } }] : [];
    case 'DeactivateAccount':
      return state.status === 'deactivated' ? [] : [{ type: 'AccountDeactivated', data: { accountId, reason: command.reason } }];
    case 'ReactivateAccount':
      return state.status === 'deactivated' ? [{ type: 'AccountReactivated', data: { accountId } }] : [];
  }
}

function evolve(state: AccountState, event: AccountEvent): AccountState {
  if (event.type === 'AccountCreated') {
    return { status: 'pending-link', ...event.data, nationalId: null, grants: [] };
  }
  if (state.status === 'initial') return state;
  switch (event.type) {
    case 'AccountLinkedToPsc':
      return { ...state, status: state.status === 'deactivated' ? 'deactivated' : 'active', nationalId: event.data.nationalId, givenName: event.data.givenName, familyName: event.data.familyName, email: event.data.email ?? state.email };
    case 'RoleGranted':
      return { ...state, grants: [...state.grants.filter((g) => g.role !== event.data.role), { role: event.data.role, territories: event.data.territories, effecteurIds: event.data.effecteurIds }] };
    case 'RoleRevoked':
      return { ...state, grants: state.grants.filter((g) => g.role !== event.data.role) };
    case 'AccountDeactivated':
      return { ...state, status: 'deactivated' };
    case 'AccountReactivated':
      return { ...state, status: state.nationalId ? 'active' : 'pending-link' };
  }
}

export const accountDecider: Decider<AccountCommand, AccountEvent, AccountState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'initial' }),
};
