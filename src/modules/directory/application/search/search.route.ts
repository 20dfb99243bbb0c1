/** GET /api/search — the regulators' search: practitioners of a filière around a place, with their free slots. */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { hasRole } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { HttpProblem, parseInput, problem } from '../../../../shared-kernel/http/problem-details.ts';
import { parseRpps } from '../../../../shared-kernel/ids/rpps.id.ts';
import type { CommuneGeocoder } from '../../infrastructure/geocoding/commune-geocoder.ts';
import type { FiliereRegistry } from '../../infrastructure/filiere-registry.ts';
import type { SearchRadiusPolicy } from '../../infrastructure/search-radius.ts';
import type { SearchEngine, SearchQuery } from './search-engine.port.ts';
import { groupUnderCpts } from './cpts-cards.ts';
import { STRUCTURE_KINDS } from '../../contracts/directory.events.ts';
import { CONVENTION_SECTORS } from '../../../participation/contracts/participation.events.ts';
import { nameKey } from '../../infrastructure/search/search.projection.ts';

export const WINDOWS = { '0-4': [0, 4], '4-8': [4, 8], '8-12': [8, 12], '12-24': [12, 24], '24-48': [24, 48] } as const;

const insee = z.string().regex(/^(\d{5}|2[AB]\d{3})$/, 'attendu : un code INSEE de commune (5 caractères)');
export const searchQuery = z
  .strictObject({
    filiere: z.string().max(60).optional(),
    specialty: z.string().max(10).optional(),
    lat: z.coerce.number().min(-90).max(90).optional(),
    lon: z.coerce.number().min(-180).max(180).optional(),
    radiusKm: z.coerce.number().positive().max(200).optional(),
    around: insee.optional(),
    commune: insee.optional(),
    departement: z.string().regex(/^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-8])$/, 'attendu : un code de département').optional(),
    disponibleSous: z.enum(Object.keys(WINDOWS) as [keyof typeof WINDOWS], { message: `attendu : ${Object.keys(WINDOWS).join(', ')} (heures)` }).optional(),
    consultationType: z.enum(['cabinet', 'teleconsultation', 'domicile']).optional(),
    name: z.string().trim().min(2).max(100).optional(),
    medecinTraitant: z.string().max(20).optional(),
    structureKind: z.enum(STRUCTURE_KINDS, { message: `attendu : ${STRUCTURE_KINDS.join(', ')}` }).optional(),
    structure: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'attendu : l’identifiant d’une structure').optional(),
    enSus: z.enum(['true'], { message: 'attendu : true (seulement les participants acceptant des patients en sus)' }).optional(),
    secteur: z.enum(CONVENTION_SECTORS, { message: `attendu : un secteur de conventionnement (${CONVENTION_SECTORS.join(', ')})` }).optional(),
    limit: z.coerce.number().int().min(1).max(50).default(5),
    cursor: z.string().max(200).optional(),
  })
  .refine((q) => [q.lat !== undefined && q.lon !== undefined, q.around, q.commune, q.departement, q.structure].filter(Boolean).length === 1, {
    message: 'attendu : exactement un lieu — lat+lon, around (commune, avec rayon), commune (zone), departement (zone) ou structure (ses membres)',
  });

export interface SearchDeps {
  readonly engine: () => SearchEngine;
  readonly clock: () => Date;
  readonly geocoder: () => CommuneGeocoder;
  readonly filieres: () => FiliereRegistry;
  readonly radius: () => SearchRadiusPolicy;
}

const encodeCursor = (offset: number, seed: string) => Buffer.from(JSON.stringify([offset, seed])).toString('base64url');
function decodeCursor(cursor: string): { offset: number; seed: string } {
  try {
    const [offset, seed] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (Number.isInteger(offset) && (offset as number) >= 0 && typeof seed === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(seed)) return { offset: offset as number, seed };
  } catch {
    // fall through
  }
  throw new HttpProblem(problem(400, 'invalid-cursor', 'Le curseur de pagination est invalide.'));
}

export function searchRoute(deps: SearchDeps): RouteDefinition {
  return {
    method: 'get',
    path: '/search',
    summary: 'Search practitioners of a filière around a place, with their free slots',
    docs: { query: searchQuery },
    policy: policy('régulation (régulateur/OSNP, IOA), référent territorial, administrateur national, auditeur', (p) =>
      hasRole(p, 'regulateur-osnp', 'ioa', 'referent-territorial', 'admin-national', 'auditeur'),
    ),
    async handle(req, res) {
      const q = parseInput(searchQuery, req.query, 'query');
      const filieres = deps.filieres();
      const filiere = q.filiere ? filieres.byId(q.filiere) : filieres.default();
      if (!filiere) throw new HttpProblem(problem(400, 'UnknownFiliere', `Filière inconnue : ${q.filiere}. Filières : ${filieres.all().map((f) => f.id).join(', ')}.`));
      let place: SearchQuery['place'];
      if (q.lat !== undefined && q.lon !== undefined) {
        place = { kind: 'point', lat: q.lat, lon: q.lon, radiusKm: q.radiusKm ?? filiere.defaultRadiusKm };
      } else if (q.around) {
        const commune = deps.geocoder().byInseeCode(q.around);
        if (!commune?.point) throw new HttpProblem(problem(400, 'UnknownCommune', `Commune inconnue ou sans coordonnées : ${q.around}.`));
        place = { kind: 'point', lat: commune.point.lat, lon: commune.point.lon, radiusKm: q.radiusKm ?? deps.radius().radiusFor(commune.departement, filiere) };
      } else if (q.commune) {
        if (!deps.geocoder().byInseeCode(q.commune)) throw new HttpProblem(problem(400, 'UnknownCommune', `Commune inconnue : ${q.commune}.`));
        place = { kind: 'commune', inseeCode: q.commune };
      } else if (q.structure) {
        place = { kind: 'structure', structureId: q.structure };
      } else {
        place = { kind: 'departement', departement: q.departement! };
      }
      let treatingRpps: string | undefined;
      if (q.medecinTraitant) {
        const rpps = parseRpps(q.medecinTraitant);
        if (!rpps.ok) throw rpps.error;
        treatingRpps = rpps.value;
      }
      const { offset, seed } = q.cursor ? decodeCursor(q.cursor) : { offset: 0, seed: randomBytes(9).toString('base64url') };
      const now = deps.clock();
      const [fromH, toH] = q.disponibleSous ? WINDOWS[q.disponibleSous] : [0, 48];
      const cards = await deps.engine().search({
        filiere: filiere.id,
        ...(q.specialty ? { specialty: q.specialty } : {}),
        place,
        from: new Date(now.getTime() + fromH * 3_600_000),
        to: new Date(now.getTime() + toH * 3_600_000),
        onlyAvailable: q.disponibleSous !== undefined,
        ...(q.consultationType ? { consultationType: q.consultationType } : {}),
        ...(q.name ? { name: nameKey(q.name) } : {}),
        ...(treatingRpps ? { treatingRpps } : {}),
        ...(q.structureKind ? { structureKind: q.structureKind } : {}),
        ...(q.enSus ? { acceptsEnSus: true } : {}),
        ...(q.secteur ? { conventionSector: q.secteur } : {}),
        seed,
        offset,
        limit: q.limit,
      });
      res.json({
        filiere: filiere.id,
        place,
        // Place cards, the members of a CPTS under its card (cpts-cards.ts); the cursor counts place cards.
        items: groupUnderCpts(cards),
        cards: cards.length,
        nextCursor: cards.length === q.limit ? encodeCursor(offset + cards.length, seed) : null,
      });
    },
  };
}
