/** GET /api/vendors — the vendor registry and each vendor's aggregation status, for the national administrator. */
import { hasRole } from '../../../../shared-kernel/auth/principal.ts';
import { policy, type RouteDefinition } from '../../../../shared-kernel/auth/route.ts';
import { latestReports, vendorCounts, vendorStatus } from '../../infrastructure/vendors/vendor-aggregation.store.ts';
import type { AggregationDeps } from './aggregate-vendor-slots.job.ts';

const adminOnly = policy('administrateur national', (p) => hasRole(p, 'admin-national'));

export interface VendorStatusView {
  readonly id: string;
  readonly name: string;
  readonly fhirBaseUrl: string;
  readonly capability: string;
  readonly practitioners: 'directory' | number;
  readonly sosMedecins: number;
  readonly cpts: boolean;
  readonly batchSize: number;
  readonly pollingPeriodMs: number;
  readonly staleTtlMs: number;
  readonly staleBehaviour: string;
  readonly circuit: { readonly state: string; readonly consecutiveFailures: number; readonly openedAt: string | null };
  readonly lastSuccessAt: string | null;
  readonly lastErrorAt: string | null;
  readonly lastError: string | null;
  readonly slotsKnown: number;
  readonly staleSlots: number;
  readonly staleBatches: number;
  readonly batches: number;
  /** Whether some of its batches are stale (not refreshed for staleTtlMs). */
  readonly stale: boolean;
  readonly reports: Awaited<ReturnType<typeof latestReports>>;
}

export async function vendorStatuses(deps: AggregationDeps): Promise<VendorStatusView[]> {
  const views: VendorStatusView[] = [];
  for (const v of deps.registry.all()) {
    const status = await vendorStatus(deps.readDb, v.id);
    const counts = await vendorCounts(deps.readDb, v.id);
    views.push({
      id: v.id,
      name: v.name,
      fhirBaseUrl: v.fhirBaseUrl,
      capability: v.capability,
      practitioners: v.practitioners === 'directory' ? 'directory' : v.practitioners.length,
      sosMedecins: v.sosMedecins.length,
      cpts: v.cpts,
      batchSize: v.batchSize,
      pollingPeriodMs: v.pollingPeriodMs,
      staleTtlMs: v.staleTtlMs,
      staleBehaviour: v.staleBehaviour,
      circuit: { state: status.circuit.state, consecutiveFailures: status.circuit.consecutiveFailures, openedAt: status.circuit.openedAt === null ? null : new Date(status.circuit.openedAt).toISOString() },
      lastSuccessAt: status.lastSuccessAt,
      lastErrorAt: status.lastErrorAt,
      lastError: status.lastError,
      slotsKnown: counts.published,
      staleSlots: counts.staleSlots,
      staleBatches: counts.staleBatches,
      batches: counts.batches,
      stale: counts.staleBatches > 0,
      reports: await latestReports(deps.readDb, v.id, 10),
    });
  }
  return views;
}

export function vendorsRoute(deps: AggregationDeps): RouteDefinition {
  return {
    method: 'get',
    path: '/vendors',
    summary: 'Booking vendors aggregated, with their status (circuit, last success and error, slots known, staleness, rejected answers)',
    policy: adminOnly,
    async handle(_req, res) {
      res.json({ vendors: await vendorStatuses(deps) });
    },
  };
}
