import { CommandHandler } from '../../shared-kernel/application/command-handler.ts';
import type { PlatformModule } from '../../shared-kernel/platform-module.ts';
import { TOKENS } from '../../shared-kernel/tokens.ts';
import { DIRECTORY } from './directory.tokens.ts';
import { practitionerDecider } from './domain/practitioner.decider.ts';
import { practitionersProjection } from './infrastructure/practitioners.projection.ts';
import { searchRoute } from './application/search/search.route.ts';
import { communesRoute } from './application/search/communes.route.ts';
import { filieresRoute } from './application/search/filieres.route.ts';
import { FiliereRegistry } from './infrastructure/filiere-registry.ts';
import { CommuneGeocoder } from './infrastructure/geocoding/commune-geocoder.ts';
import { SearchRadiusPolicy } from './infrastructure/search-radius.ts';
import { searchEngineFor, searchProjectionsFor } from './infrastructure/search/search-engine.selection.ts';
import { structureDecider } from './domain/structure.decider.ts';
import { structuresProjection } from './infrastructure/structures.projection.ts';
import { structuresRoutes } from './application/structures/structures.routes.ts';
import { DIRECTORY_STRUCTURES } from './structures.tokens.ts';
import { BanGeocoder } from './infrastructure/geocoding/ban-geocoder.ts';
import { LRM_ENTRY_PREFIX, lrmEntryRouter } from './application/lrm-entry/lrm-entry.route.ts';
import { seedDemoDirectory } from './application/demo/demo-directory.ts';

export { DIRECTORY } from './directory.tokens.ts';
export { importRppsExtract, type ImportRppsResult, type ImportProgress } from './application/import-rpps/import-rpps.ts';
export { RppsExtractError } from './infrastructure/rpps-extract-parser.ts';
export { DIRECTORY_STRUCTURES } from './structures.tokens.ts';
export { importFinessExtract, type ImportFinessResult, type FinessImportProgress } from './application/import-finess/import-finess.ts';
export { FinessExtractError } from './infrastructure/finess-extract-parser.ts';
export { seedDemoDirectory, type DemoScale } from './application/demo/demo-directory.ts';

/** How long the LRM entry waits for the Base Adresse Nationale before using the commune centre. */
const BAN_TIMEOUT_MS = 2_500;

/**
 * Directory: the professionals of the public register (RPPS extraction) and their places of practice, and the
 * care structures (CPTS, MSP, centres de santé from the FINESS extraction; SOS Médecins created on the platform).
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
    container
      .bind(DIRECTORY_STRUCTURES.deps)
      .toDynamicValue((ctx) => ({
        structures: new CommandHandler(ctx.get(TOKENS.eventStore), structureDecider, ctx.get(TOKENS.newId)),
        eventStore: ctx.get(TOKENS.eventStore),
        readDb: ctx.get(TOKENS.readDb),
        clock: ctx.get(TOKENS.clock),
        newId: ctx.get(TOKENS.newId),
      }))
      .inSingletonScope();
    container.bind(DIRECTORY.search).toConstantValue({ geocoder: null, filieres: null, radius: null });
    container.bind(DIRECTORY.searchEngine).toDynamicValue((ctx) => searchEngineFor(ctx.get(TOKENS.config), ctx.get(TOKENS.readDb))).inSingletonScope();
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
      filieresRoute(() => search.filieres!),
      ...structuresRoutes(container.get(DIRECTORY_STRUCTURES.deps), () => search.geocoder!),
    ];
  },
  async demo(container) {
    const { demoDirectory } = container.get(TOKENS.config);
    if (demoDirectory.scale === 'none') return;
    const search = container.get(DIRECTORY.search);
    await seedDemoDirectory(container.get(DIRECTORY.deps), search.geocoder!.all(), { kind: 'department', departement: demoDirectory.departement });
  },
  web(container, router, registry) {
    const search = container.get(DIRECTORY.search);
    const config = container.get(TOKENS.config);
    const logger = container.get(TOKENS.logger);
    const ban = config.banUrl ? new BanGeocoder({ baseUrl: config.banUrl, timeoutMs: BAN_TIMEOUT_MS }) : null;
    router.use(
      LRM_ENTRY_PREFIX,
      lrmEntryRouter(
        {
          geocoder: () => search.geocoder!,
          filieres: () => search.filieres!,
          radius: () => search.radius!,
          ban,
          origins: new Set(config.lrmOrigins),
          onBanFailure: (error) => logger.warn({ ban: { kind: error.kind, status: error.status } }, 'BAN geocoding failed: commune centre used'),
          logger,
        },
        registry,
      ),
    );
  },
  projections(container) {
    const search = container.get(DIRECTORY.search);
    return [practitionersProjection, structuresProjection, ...searchProjectionsFor(container.get(TOKENS.config), { geocoder: search.geocoder!, filieres: search.filieres! })];
  },
};
