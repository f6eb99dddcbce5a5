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
  return registry;
}
