import { Registry, collectDefaultMetrics } from 'prom-client';

/** The process's metrics registry, with node's default process metrics (CPU, memory, GC, handles). */
export function createMetricsRegistry(prefix = 'quetzal_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool
  // rejects them); their per-type siblings (nodejs_active_handles{type}) carry the same numbers.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(`${prefix}${name}`);
  return registry;
}
