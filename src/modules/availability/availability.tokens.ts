import type { ServiceIdentifier } from 'inversify';
import type { AvailabilityDeps } from './application/availability.deps.ts';

export const AVAILABILITY = {
  deps: Symbol.for('sas.availability.deps') as ServiceIdentifier<AvailabilityDeps>,
} as const;
