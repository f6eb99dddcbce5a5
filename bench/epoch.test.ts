import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_PROVING_SECONDS as t } from '@quetzal/protocol/proving-jobs';
import { epochTree, lowerBounds, simulatedMakespan } from './epoch.js';

test('the schedule model: lower bounds and the broker-order simulation agree where the answer is known', () => {
  // one block, one tx (9 messages: two parity slices), one agent: everything in a row
  const one = epochTree({ blocks: 1, txs: 1, agents: 1 }, 9);
  assert.equal(one.length, 6);
  const work = 2 * t['parity-base'] + t['parity-root'] + t.base + t['block-root'] + t['root-single'];
  const b = lowerBounds(one, 1);
  assert.equal(b.work, work);
  assert.equal(b.criticalPath, t['parity-base'] + t['parity-root'] + t['block-root'] + t['root-single']);
  assert.equal(simulatedMakespan(one, 1), work);
  // as many agents as jobs: the critical path
  const wide = epochTree({ blocks: 4, txs: 8, agents: 1000 });
  assert.equal(simulatedMakespan(wide, 1000), lowerBounds(wide, 1000).criticalPath);
  // never below any lower bound; the window bound is at least the simple one
  for (const c of [{ blocks: 4, txs: 8, agents: 4 }, { blocks: 3, txs: 0, agents: 2 }, { blocks: 5, txs: 3, agents: 3 }, { blocks: 2, txs: 5, agents: 2 }]) {
    const tree = epochTree(c);
    const lb = lowerBounds(tree, c.agents);
    assert.ok(lb.window >= Math.max(lb.criticalPath, lb.work / c.agents) - 1e-9);
    assert.ok(simulatedMakespan(tree, c.agents) >= lb.window - 1e-9);
  }
  // 4 x 8 on 4 agents: the tree's top leaves agents idle, so max(cp, work/K) is out of reach; the
  // window bound shows the broker's order optimal there
  const mid = epochTree({ blocks: 4, txs: 8, agents: 4 });
  const lb = lowerBounds(mid, 4);
  assert.ok(lb.window > lb.work / 4 + 1);
  assert.equal(simulatedMakespan(mid, 4), lb.window);
});

test('each job of the bench tree carries its path to the root', () => {
  const tree = epochTree({ blocks: 3, txs: 2, agents: 1 }, 0);
  assert.deepEqual(tree.at(-1)!.pathToRoot, []);
  const base = tree.find((j) => j.type === 'base')!;
  // base -> merge -> block-root -> block-merge (3 blocks: 2 levels on the left) -> root-single
  assert.deepEqual(base.pathToRoot, ['merge', 'block-root', 'block-merge', 'block-merge', 'root-single']);
  for (const j of tree) for (const d of j.deps) assert.deepEqual(d.pathToRoot, [j.type, ...j.pathToRoot]);
});
