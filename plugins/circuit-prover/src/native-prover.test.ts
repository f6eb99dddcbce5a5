import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@quetzal/kernel/testing';
import { NativeCircuitProver } from './native-prover.js';

test('native prover refuses off-chain verification under the dev CRS (bb pins Ignition G2)', () => {
  const crs = { mode: 'dev' as const, dir: '/nonexistent', points: 0, id: 'x', insecure: true };
  assert.throws(() => new NativeCircuitProver({ crs, vkCacheDir: '/nonexistent', logger: silentLogger(), verify: true }), /pins Ignition's G2/);
});
