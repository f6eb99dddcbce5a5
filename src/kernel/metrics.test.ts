import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetricsRegistry } from './metrics.js';

test('the default process metrics follow Prometheus naming: only counters end in _total', async () => {
  const text = await createMetricsRegistry().metrics();
  const types = [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name: name!, type: type! }));
  assert.ok(types.some((t) => t.name === 'quetzal_process_cpu_seconds_total' && t.type === 'counter'));
  assert.ok(types.some((t) => t.name === 'quetzal_nodejs_active_handles'));
  assert.deepEqual(types.filter((t) => t.name.endsWith('_total') && t.type !== 'counter'), []);
});
