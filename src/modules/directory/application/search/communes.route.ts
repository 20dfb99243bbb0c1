/** GET /api/directory/communes?q= — commune autocomplete (name, postcode or INSEE code; accents and "St" tolerated). */
import { z } from 'zod';
import { isActiveUser } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { parseInput } from '../../../../shared-kernel/http/problem-details.ts';
import type { CommuneGeocoder } from '../../infrastructure/geocoding/commune-geocoder.ts';

export const communesQuery = z.strictObject({ q: z.string().trim().min(2, 'au moins 2 caractères').max(100), limit: z.coerce.number().int().min(1).max(20).default(8) });

export function communesRoute(geocoder: () => CommuneGeocoder): RouteDefinition {
  return {
    method: 'get',
    path: '/directory/communes',
    summary: 'Commune autocomplete',
    docs: { query: communesQuery },
    policy: policy('toute personne connectée à un compte actif', (p) => isActiveUser(p)),
    handle(req, res) {
      const q = parseInput(communesQuery, req.query, 'query');
      const items = geocoder()
        .search(q.q, { limit: q.limit })
        .map(({ commune }) => ({ inseeCode: commune.inseeCode, name: commune.name, postcodes: commune.postcodes, departement: commune.departement, point: commune.point }));
      res.setHeader('Cache-Control', 'private, max-age=300').json({ items });
    },
  };
}
