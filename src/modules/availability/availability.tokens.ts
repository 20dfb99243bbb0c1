import type { ServiceIdentifier } from 'inversify';
import type { AvailabilityDeps } from './application/availability.deps.ts';
import type { AggregationDeps } from './application/aggregate-vendor-slots/aggregate-vendor-slots.job.ts';

export const AVAILABILITY = {
  deps: Symbol.for('sas.availability.deps') as ServiceIdentifier<AvailabilityDeps>,
  /** Vendor slot aggregation: the vendor registry and what its jobs need. */
  aggregation: Symbol.for('sas.availability.aggregation') as ServiceIdentifier<AggregationDeps>,
} as const;
