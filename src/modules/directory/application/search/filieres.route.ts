/** GET /api/directory/filieres — the filières a search may name (from their definition files), default first. */
import { isActiveUser } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import type { FiliereRegistry } from '../../infrastructure/filiere-registry.ts';

export function filieresRoute(filieres: () => FiliereRegistry): RouteDefinition {
  return {
    method: 'get',
    path: '/directory/filieres',
    summary: 'The filières of the search (id, label, consultation types, default radius), the default one first',
    policy: policy('toute personne connectée à un compte actif', (p) => isActiveUser(p)),
    handle(_req, res) {
      const registry = filieres();
      const byDefault = [...registry.all()].sort((a, b) => Number(b.id === registry.default().id) - Number(a.id === registry.default().id));
      const items = byDefault.map((f) => ({ id: f.id, label: f.label, consultationTypes: f.consultationTypes, defaultRadiusKm: f.defaultRadiusKm, default: f.id === registry.default().id }));
      res.setHeader('Cache-Control', 'private, max-age=300').json({ items });
    },
  };
}
