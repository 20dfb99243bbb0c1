import { CommandHandler } from '../../shared-kernel/application/command-handler.ts';
import type { PlatformModule } from '../../shared-kernel/platform-module.ts';
import { TOKENS } from '../../shared-kernel/tokens.ts';
import { DIRECTORY } from './directory.tokens.ts';
import { practitionerDecider } from './domain/practitioner.decider.ts';
import { practitionersProjection } from './infrastructure/practitioners.projection.ts';
import { searchRoute } from './application/search/search.route.ts';
import { communesRoute } from './application/search/communes.route.ts';
import { FiliereRegistry } from './infrastructure/filiere-registry.ts';
import { CommuneGeocoder } from './infrastructure/geocoding/commune-geocoder.ts';
import { SearchRadiusPolicy } from './infrastructure/search-radius.ts';
import { searchProjection } from './infrastructure/search/search.projection.ts';
import { SqlSearchEngine } from './infrastructure/search/pg-search-engine.ts';

export { DIRECTORY } from './directory.tokens.ts';
export { importRppsExtract, type ImportRppsResult, type ImportProgress } from './application/import-rpps/import-rpps.ts';
export { RppsExtractError } from './infrastructure/rpps-extract-parser.ts';

/**
 * Directory: the professionals of the public register (RPPS extraction) and their places of practice.
 * Professional data only, never patient data.
 */
export const directoryModule: PlatformModule = {
  name: 'directory',
  register(container) {
    container
      .bind(DIRECTORY.deps)
      .toDynamicValue((ctx) => ({
        practitioners: new CommandHandler(ctx.get(TOKENS.eventStore), practitionerDecider, ctx.get(TOKENS.newId)),
        eventStore: ctx.get(TOKENS.eventStore),
        clock: ctx.get(TOKENS.clock),
        newId: ctx.get(TOKENS.newId),
      }))
      .inSingletonScope();
    container.bind(DIRECTORY.search).toConstantValue({ geocoder: null, filieres: null, radius: null });
    container.bind(DIRECTORY.searchEngine).toDynamicValue((ctx) => new SqlSearchEngine(ctx.get(TOKENS.readDb))).inSingletonScope();
  },
  async init(container) {
    const search = container.get(DIRECTORY.search);
    search.geocoder ??= await CommuneGeocoder.load();
    search.filieres ??= FiliereRegistry.loadDirectory();
    search.radius ??= SearchRadiusPolicy.load();
  },
  api(container) {
    const search = container.get(DIRECTORY.search);
    return [
      searchRoute({
        engine: () => container.get(DIRECTORY.searchEngine),
        clock: container.get(TOKENS.clock),
        geocoder: () => search.geocoder!,
        filieres: () => search.filieres!,
        radius: () => search.radius!,
      }),
      communesRoute(() => search.geocoder!),
    ];
  },
  projections(container) {
    const search = container.get(DIRECTORY.search);
    return [practitionersProjection, searchProjection({ geocoder: search.geocoder!, filieres: search.filieres! })];
  },
};
