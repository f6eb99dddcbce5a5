import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { RUNTIME, RUNTIME_VERSION } from './runtime.js';

/**
 * The process's metrics registry, with the default process metrics (CPU, memory, GC, handles)
 * and which runtime runs the process (`quetzal_runtime_info{runtime="deno",version="2.9.6"} 1`).
 */
export function createMetricsRegistry(prefix = 'quetzal_'): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  new Gauge({ name: `${prefix}runtime_info`, help: 'The JavaScript runtime running this process', labelNames: ['runtime', 'version'], registers: [registry] })
    .labels(RUNTIME, RUNTIME_VERSION.split(' ')[1]!)
    .set(1);
  // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool
  // rejects them); their per-type siblings (nodejs_active_handles{type}) carry the same numbers.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(`${prefix}${name}`);
  return registry;
}
