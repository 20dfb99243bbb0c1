import type { Router } from 'express';
import type { Container } from 'inversify';
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
  /** Routes mounted under `/api`. */
  routes?(container: Container, router: Router): void;
  projections?(container: Container): readonly Projection[];
  jobs?(container: Container, jobs: JobQueue): Promise<void> | void;
  /** Seeds demo data on an empty event store when `DEMO_DATA` is on (the embedded default). */
  demo?(container: Container): Promise<void>;
}
