/**
 * Search radius around the searched place. The real platform sets it per département from density data (goal:
 * at least 5 professionals with slots in the circle): small in dense cities, large in rural and overseas
 * départements. Config: `src/modules/directory/search-radius.json` — a département override wins, else the
 * filière's `defaultRadiusKm`, else the config's `default`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Filiere } from '../domain/filiere.ts';

export const DEFAULT_SEARCH_RADIUS_CONFIG = fileURLToPath(new URL('../search-radius.json', import.meta.url));

const DEPARTEMENT = /^(?:0[1-9]|1\d|2[1-9]|[3-8]\d|9[0-5]|2A|2B|97[1-6])$/;
const radius = z.number().positive().max(200);

const configSchema = z.object({
  $comment: z.string().optional(),
  default: radius,
  byDepartement: z.record(z.string().regex(DEPARTEMENT, 'must be a département code (01–95, 2A, 2B, 971–976)'), radius),
});

export type SearchRadiusConfig = z.infer<typeof configSchema>;

export class SearchRadiusPolicy {
  private readonly config: SearchRadiusConfig;

  constructor(config: SearchRadiusConfig) {
    this.config = configSchema.parse(config);
  }

  static load(path: string = DEFAULT_SEARCH_RADIUS_CONFIG): SearchRadiusPolicy {
    const parsed = configSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!parsed.success) {
      throw new Error(`${path}: ${parsed.error.issues.map((i) => `field "${i.path.join('.')}": ${i.message}`).join('; ')}`);
    }
    return new SearchRadiusPolicy(parsed.data);
  }

  /** Radius in km: the département override, else the filière default, else the global default. */
  radiusFor(departement: string, filiere?: Pick<Filiere, 'defaultRadiusKm'> | null): number {
    return this.config.byDepartement[departement.toUpperCase()] ?? filiere?.defaultRadiusKm ?? this.config.default;
  }
}
