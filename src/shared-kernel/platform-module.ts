import type { RequestHandler, Router } from 'express';
import type { Container } from 'inversify';
import type { RouteDefinition, RouteRegistry } from './auth/route.ts';
import type { JobQueue } from './jobs/jobs.port.ts';
import type { Projection } from './projections/projection.ts';

/**
 * A module of the monolith as the composition root sees it. `register` binds the module's services in its own
 * child container (which sees the shared infrastructure of the root), then the root asks for its routes,
 * projections and jobs. Modules never reach into each other: they share only events.
 */
export interface PlatformModule {
  readonly name: string;
  register(container: Container): void;
  /** Creates the module's own technical tables (not projections), at start-up. */
  init?(container: Container): Promise<void>;
  /** API routes, mounted under `/api`, each with its authorisation policy. */
  api?(container: Container): readonly RouteDefinition<any>[];
  /** Routes at the root of the site (`/auth`, the development identity provider). */
  web?(container: Container, router: Router, registry: RouteRegistry): void;
  /** Resolves the principal of each request (the identity module). */
  authenticator?(container: Container): RequestHandler;
  projections?(container: Container): readonly Projection[];
  jobs?(container: Container, jobs: JobQueue): Promise<void> | void;
  /** Seeds demo data on an empty event store when `DEMO_DATA` is on (the embedded default). */
  demo?(container: Container): Promise<void>;
  /** Called once the HTTP server listens, with the URL browsers reach it at. */
  started?(container: Container, info: { publicUrl: string }): Promise<void>;
  /** Releases what `started` opened. */
  stopped?(container: Container): Promise<void>;
}
