import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one platform instance, served at /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'sas_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'sas_http_request_duration_seconds',
      help: 'HTTP request duration by method and route',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    projectionLag: new Gauge({
      name: 'sas_projection_lag_events',
      help: 'Events committed and not yet applied, by projection',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    projectionPosition: new Gauge({
      name: 'sas_projection_position',
      help: 'Global position of the last event applied, by projection',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    eventStoreHead: new Gauge({ name: 'sas_event_store_head_position', help: 'Global position of the newest event', registers: [registry] }),
    jobs: new Gauge({
      name: 'sas_jobs',
      help: 'Jobs by queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
