import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNativePoseidon2, paramsHeader } from './poseidon2-native.js';

const buildDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'build');

test('the Poseidon2 parameter header is kept beside the builds, equal to a fresh scan of the WASM', () => {
  const native = loadNativePoseidon2();
  assert.ok(native, 'native Poseidon2 should build on this machine');
  const cached = readdirSync(buildDir).filter((f) => /^poseidon2_params-.*\.h$/.test(f));
  assert.ok(cached.length >= 1, `no cached header in ${buildDir}`);
  const fresh = paramsHeader();
  assert.ok(cached.some((f) => readFileSync(join(buildDir, f), 'utf8') === fresh), 'no cached header matches the WASM scan');
});
