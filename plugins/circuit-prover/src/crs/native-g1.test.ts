import { test } from 'node:test';
import assert from 'node:assert/strict';
import { g1Powers } from './g1-powers.js';
import { devTau } from './dev-crs.js';
import { nativeG1Powers } from './native-g1.js';

test('the native dev CRS generator writes the same points as the BigInt one, across batch and window edges', (t) => {
  const tau = devTau();
  const native = nativeG1Powers(tau, 4090, 5000);
  if (!native) return t.skip('no C compiler here: the BigInt generator is used');
  assert.deepEqual(Buffer.from(native), Buffer.from(g1Powers(tau, 4090, 5000)));
});
