import type { Config } from './config/config.ts';
import type { ServiceIdentifier } from 'inversify';
import type { RequestHandler } from 'express';
import type { EventStore } from './event-store/event-store.port.ts';
import type { JobQueue } from './jobs/jobs.port.ts';
import type { Logger } from './logging/logger.ts';
import type { SqlDatabase } from './sql/sql-database.ts';
import type { DemoMachineClients } from './auth/demo-machine-clients.ts';

const token = <T>(name: string) => Symbol.for(`sas.${name}`) as ServiceIdentifier<T>;

/** Services of the shared infrastructure, bound in the root container and visible to every module. */
export const TOKENS = {
  eventStore: token<EventStore>('eventStore'),
  readDb: token<SqlDatabase>('readDb'),
  jobs: token<JobQueue>('jobs'),
  logger: token<Logger>('logger'),
  clock: token<() => Date>('clock'),
  newId: token<() => string>('newId'),
  config: token<Config>('config'),
  /** Resolves the principal of a request (the identity module's authenticator), for routers mounted outside /api. */
  authenticate: token<RequestHandler>('authenticate'),
  /** Demo machine clients issued in-process (embedded default): identity provides, a demo peer's module asks. */
  demoMachineClients: token<DemoMachineClients>('demoMachineClients'),
} as const;
