import type { ServiceIdentifier } from 'inversify';
import type { DirectoryDeps } from './application/directory.deps.ts';
import type { SearchEngine } from './application/search/search-engine.port.ts';
import type { FiliereRegistry } from './infrastructure/filiere-registry.ts';
import type { CommuneGeocoder } from './infrastructure/geocoding/commune-geocoder.ts';
import type { SearchRadiusPolicy } from './infrastructure/search-radius.ts';

/** Reference data of the search, loaded once at start-up (init). */
export interface SearchReferenceData {
  geocoder: CommuneGeocoder | null;
  filieres: FiliereRegistry | null;
  radius: SearchRadiusPolicy | null;
}

export const DIRECTORY = {
  deps: Symbol.for('sas.directory.deps') as ServiceIdentifier<DirectoryDeps>,
  search: Symbol.for('sas.directory.search') as ServiceIdentifier<SearchReferenceData>,
  searchEngine: Symbol.for('sas.directory.search-engine') as ServiceIdentifier<SearchEngine>,
} as const;
