import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epochProofTree, leafPath, proofTreeSeconds } from './proof-tree.js';
import { DEFAULT_PROVING_SECONDS as T } from './proving-jobs.js';

const count = (jobs: { type: string }[]) => jobs.reduce<Record<string, number>>((m, j) => ((m[j.type] = (m[j.type] ?? 0) + 1), m), {});

test('leafPath: the merges above each leaf of the canonical tree (largest power of two below n on the left)', () => {
  assert.deepEqual([0, 1, 2].map((i) => leafPath(3, i, 'merge').length), [2, 2, 1]);
  assert.deepEqual(leafPath(1, 0, 'merge'), []);
  assert.deepEqual([0, 4].map((i) => leafPath(5, i, 'block-merge').length), [3, 1]);
});

test('one block, one tx, no messages: base, block-root, root-single (the kept empty parity costs nothing)', () => {
  const jobs = epochProofTree([{ txs: 1, messages: 0 }], { rootSingle: true });
  assert.deepEqual(count(jobs), { base: 1, 'block-root': 1, 'root-single': 1 });
  assert.deepEqual(proofTreeSeconds(jobs, T), { criticalPath: T.base + T['block-root'] + T['root-single'], work: T.base + T['block-root'] + T['root-single'] });
});

test('two blocks of 3 txs with 6 and 9 messages, root over both: one fresh slice for 6 messages, two for 9', () => {
  const jobs = epochProofTree([{ txs: 3, messages: 6 }, { txs: 3, messages: 9 }], { rootSingle: false });
  assert.deepEqual(count(jobs), { base: 6, merge: 4, 'parity-base': 3, 'parity-root': 2, 'block-root': 2, root: 1 });
  const { criticalPath } = proofTreeSeconds(jobs, T);
  // three txs: base, then two merges deep; the parity path is shorter
  assert.equal(criticalPath, T.base + 2 * T.merge + T['block-root'] + T.root);
  // children come before their parents
  const seen = new Set();
  for (const j of jobs) {
    for (const d of j.deps) assert.ok(seen.has(d));
    seen.add(j);
  }
});

test('blocks proven ahead leave the block merges and the root; an empty block is block-root-empty', () => {
  const blocks = [{ txs: 4, messages: 0 }, { txs: 0, messages: 0 }, { txs: 2, messages: 16 }];
  assert.deepEqual(count(epochProofTree(blocks, { rootSingle: true })), { base: 6, merge: 4, 'block-root': 2, 'block-root-empty': 1, 'parity-base': 2, 'parity-root': 1, 'block-merge': 2, 'root-single': 1 });
  const left = epochProofTree(blocks, { rootSingle: true, proven: () => true });
  assert.deepEqual(count(left), { 'block-merge': 2, 'root-single': 1 });
  assert.equal(proofTreeSeconds(left, T).criticalPath, 2 * T['block-merge'] + T['root-single']);
});
