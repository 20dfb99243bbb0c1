/**
 * Who is calling: a person logged in through Pro Santé Connect (a session) or a machine client (a booking
 * vendor, an LRM). Roles are the shared language of every module's authorisation policy.
 */
import type { Actor } from '../events/envelope.ts';

export const ROLES = [
  'regulateur-osnp',
  'ioa',
  'effecteur',
  'delegataire',
  'gestionnaire-structure',
  'gestionnaire-comptes',
  'referent-territorial',
  'admin-national',
  'auditeur',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Readonly<Record<Role, string>> = {
  'regulateur-osnp': 'Régulateur / OSNP',
  ioa: 'IOA',
  effecteur: 'Effecteur',
  delegataire: 'Délégataire',
  'gestionnaire-structure': 'Gestionnaire de structure',
  'gestionnaire-comptes': 'Gestionnaire de comptes',
  'referent-territorial': 'Référent territorial',
  'admin-national': 'Administrateur national',
  auditeur: 'Auditeur',
};

export interface RoleGrant {
  readonly role: Role;
  /** Département codes ('31', '2A', '974'); empty for national roles and effecteurs. */
  readonly territories: readonly string[];
  /** For a délégataire: the RPPS of the effecteurs it acts for. */
  readonly effecteurIds: readonly string[];
}

export interface UserPrincipal {
  readonly kind: 'user';
  /** null while a first login still has to be linked to an account. */
  readonly accountId: string | null;
  readonly nationalId: string;
  /** The RPPS inside an `8`-prefixed national id, else null. */
  readonly rpps: string | null;
  readonly status: 'active' | 'link-required';
  readonly grants: readonly RoleGrant[];
}

export interface MachinePrincipal {
  readonly kind: 'machine';
  readonly clientId: string;
  readonly clientKind: 'vendor' | 'lrm';
}

export type Principal = UserPrincipal | MachinePrincipal;

export const isActiveUser = (p: Principal | null): p is UserPrincipal & { accountId: string } =>
  p?.kind === 'user' && p.status === 'active' && p.accountId !== null;

export const grantsOf = (p: Principal | null, role: Role): readonly RoleGrant[] =>
  isActiveUser(p) ? p.grants.filter((g) => g.role === role) : [];

export const hasRole = (p: Principal | null, ...roles: readonly Role[]): boolean => roles.some((r) => grantsOf(p, r).length > 0);

/** Whether the principal holds `role` for département `territory`. */
export const hasRoleIn = (p: Principal | null, role: Role, territory: string): boolean =>
  grantsOf(p, role).some((g) => g.territories.includes(territory));

/** The actor recorded in event metadata. */
export function actorOf(p: Principal | null): Actor {
  if (!p) return { accountId: 'anonymous', role: 'anonymous' };
  if (p.kind === 'machine') return { accountId: `client:${p.clientId}`, role: p.clientKind };
  return { accountId: p.accountId ?? `psc:${p.nationalId}`, role: p.grants.map((g) => g.role).join(',') || 'none' };
}
