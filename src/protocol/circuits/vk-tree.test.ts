import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CIRCUIT_NAMES } from '../circuit-names.js';
import { computeRootFromPath } from '../trees/hash.js';
import { VkTree, simulatedVkHash } from './vk-tree.js';

test('simulated VK tree: deterministic, distinct placeholder hashes, paths lead to the root', () => {
  const t = VkTree.simulated();
  assert.equal(t.root, VkTree.simulated().root);
  assert.equal(new Set(CIRCUIT_NAMES.map(simulatedVkHash)).size, CIRCUIT_NAMES.length);
  for (const c of CIRCUIT_NAMES) assert.equal(computeRootFromPath(t.vkHash(c), t.indexOf(c), t.siblingPath(c)), t.root, c);
});

test('real VK hashes give another root; a missing one is refused', () => {
  const hashes = Object.fromEntries(CIRCUIT_NAMES.map((c, i) => [c, BigInt(i + 1)])) as Record<(typeof CIRCUIT_NAMES)[number], bigint>;
  const t = VkTree.fromVkHashes(hashes);
  assert.notEqual(t.root, VkTree.simulated().root);
  assert.equal(t.vkHash('merge'), 5n);
  const { merge: _, ...missing } = hashes;
  assert.throws(() => VkTree.fromVkHashes(missing as typeof hashes), /missing VK hash of merge/);
});
