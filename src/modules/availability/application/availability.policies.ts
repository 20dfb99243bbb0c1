/** Who may see and edit agendas. */
import { grantsOf, hasRole, type Principal } from '../../../shared-kernel/auth/principal.ts';
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
