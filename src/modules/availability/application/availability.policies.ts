/** Who may see and edit agendas. */
import { grantsOf, hasRole, isActiveUser, type Principal } from '../../../shared-kernel/auth/principal.ts';
import { policy } from '../../../shared-kernel/auth/route.ts';

/** The effecteur itself, or a délégataire acting for it. */
export function managesAgendaOf(p: Principal | null, effecteurId: unknown): boolean {
  if (typeof effecteurId !== 'string') return false;
  return [...grantsOf(p, 'effecteur'), ...grantsOf(p, 'delegataire')].some((g) => g.effecteurIds.includes(effecteurId));
}

/** Regulation and oversight roles see every agenda (a regulator may orient a patient anywhere). */
export const seesAllAgendas = (p: Principal | null) => hasRole(p, 'regulateur-osnp', 'ioa', 'referent-territorial', 'admin-national', 'auditeur');

export const editAgendaPolicy = <R>(effecteurOf: (resource: R, body: unknown) => unknown) =>
  policy<R>('l’effecteur lui-même ou son délégataire', (p, resource, req) => managesAgendaOf(p, effecteurOf(resource, req.body)));

export const readAgendaPolicy = <R>(effecteurOf: (resource: R, query: unknown) => unknown) =>
  policy<R>('régulation, référent territorial, administrateur national, auditeur ; l’effecteur et son délégataire pour son agenda', (p, resource, req) =>
    seesAllAgendas(p) || managesAgendaOf(p, effecteurOf(resource, req.query)),
  );

/** An agenda named in the path, with the accounts that manage it for a structure (structure-managers projection). */
export type AgendaOwner = { readonly effecteurId: string; readonly structureManagers: readonly string[] };

/** A gestionnaire de structure managing a structure the effecteur is a member of. */
export const managesForStructure = (p: Principal | null, owner: AgendaOwner): boolean =>
  isActiveUser(p) && hasRole(p, 'gestionnaire-structure') && owner.structureManagers.includes(p.accountId);

export const editOwnedAgendaPolicy = <R extends AgendaOwner>() =>
  policy<R>('l’effecteur lui-même, son délégataire, le gestionnaire d’une structure dont il est membre', (p, owner) =>
    managesAgendaOf(p, owner.effecteurId) || managesForStructure(p, owner),
  );

export const readOwnedAgendaPolicy = <R extends AgendaOwner>() =>
  policy<R>(
    'régulation, référent territorial, administrateur national, auditeur ; l’effecteur, son délégataire, le gestionnaire d’une structure dont il est membre',
    (p, owner) => seesAllAgendas(p) || managesAgendaOf(p, owner.effecteurId) || managesForStructure(p, owner),
  );
