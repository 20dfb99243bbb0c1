/**
 * Which search engine serves the regulators' search, from the configuration (`SEARCH_ENGINE`):
 * - `sql` (default): the SQL read model (search.projection.ts + pg-search-engine.ts);
 * - `meilisearch`: the Meilisearch indexes (meili-search.projection.ts + meili-search-engine.ts).
 * The SQL search projection always runs (other readers may use its tables); the Meilisearch projection is added
 * when Meilisearch is selected. The engine and the projection of one platform share one client (per config).
 */
import type { Config } from '../../../../shared-kernel/config/config.ts';
import type { Projection } from '../../../../shared-kernel/projections/projection.ts';
import type { SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { SearchEngine } from '../../application/search/search-engine.port.ts';
import type { CommuneGeocoder } from '../geocoding/commune-geocoder.ts';
import type { FiliereRegistry } from '../filiere-registry.ts';
import { MeiliSearchEngine } from './meili-search-engine.ts';
import { MeiliSearchIndexes } from './meili-search.indexes.ts';
import { meiliSearchProjection } from './meili-search.projection.ts';
import { SqlSearchEngine } from './pg-search-engine.ts';
import { searchProjection } from './search.projection.ts';

const meiliIndexes = new WeakMap<Config['search'], MeiliSearchIndexes>();

function meiliIndexesFor(search: Config['search']): MeiliSearchIndexes | null {
  if (search.engine !== 'meilisearch' || !search.meilisearch) return null;
  let indexes = meiliIndexes.get(search);
  if (!indexes) {
    indexes = new MeiliSearchIndexes(search.meilisearch);
    meiliIndexes.set(search, indexes);
  }
  return indexes;
}

/** The engine bound to `DIRECTORY.searchEngine`. */
export function searchEngineFor(config: Pick<Config, 'search'>, readDb: SqlExecutor): SearchEngine {
  const indexes = meiliIndexesFor(config.search);
  return indexes ? new MeiliSearchEngine(indexes) : new SqlSearchEngine(readDb);
}

/** The search projections to run: always the SQL one, and the Meilisearch one when it is the selected engine. */
export function searchProjectionsFor(config: Pick<Config, 'search'>, deps: { geocoder: CommuneGeocoder; filieres: FiliereRegistry }): Projection[] {
  const indexes = meiliIndexesFor(config.search);
  return [searchProjection(deps), ...(indexes ? [meiliSearchProjection(indexes, deps)] : [])];
}
