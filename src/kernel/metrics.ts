import { Registry, collectDefaultMetrics } from 'prom-client';

/** The process's metrics registry, with node's default process metrics (CPU, memory, GC, handles). */
export function createMetricsRegistry(prefix = 'quetzal_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}
