import { test } from 'node:test';
import assert from 'node:assert/strict';
import { provingJobRank } from '@quetzal/protocol/proving-jobs';
import { idealSchedule, NATIVE_SECONDS as t, simulatedMakespan } from './epoch.js';

test('ideal schedule and the zero-overhead simulation agree where the answer is known', () => {
  // one block, one tx, one agent: everything in a row
  const one = { blocks: 1, txs: 1, agents: 1 };
  const work = 2 * t['parity-base'] + t['parity-root'] + t.base + t['block-root'] + t['root-single'];
  assert.deepEqual(idealSchedule(one), { criticalPath: t['parity-base'] + t['parity-root'] + t['block-root'] + t['root-single'], work });
  assert.equal(simulatedMakespan(one, provingJobRank), work);
  // as many agents as jobs: the critical path
  const wide = { blocks: 4, txs: 8, agents: 1000 };
  assert.equal(simulatedMakespan(wide, provingJobRank), idealSchedule(wide).criticalPath);
  // never below the lower bound
  for (const c of [{ blocks: 4, txs: 8, agents: 4 }, { blocks: 3, txs: 0, agents: 2 }, { blocks: 5, txs: 3, agents: 3 }]) {
    const i = idealSchedule(c);
    assert.ok(simulatedMakespan(c, provingJobRank) >= Math.max(i.criticalPath, i.work / c.agents) - 1e-9);
  }
});
