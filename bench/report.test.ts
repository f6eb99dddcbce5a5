import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, median, meetsGoal, type BenchMetric } from './report.js';

const metric = (over: Partial<BenchMetric>): BenchMetric => ({ metric: 'm', unit: 'x', ours: 10, baseline: 5, baselineName: 'aztec', ratio: 2, goal: '>= 2', ...over });

test('median of odd and even counts', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]));
});

test('goals compare the ratio, or ours when there is no baseline', () => {
  assert.equal(meetsGoal(metric({})), true);
  assert.equal(meetsGoal(metric({ ratio: 1.9 })), false);
  assert.equal(meetsGoal(metric({ ratio: null, baseline: null, ours: 1.04, goal: '<= 1.05' })), true);
  assert.equal(meetsGoal(metric({ goal: 'fast' })), undefined);
});

test('the table shows each metric with its baseline and verdict', () => {
  const table = formatTable({ benchmark: 'b', command: 'c', machine: 'm', date: 'd', results: [metric({}), metric({ metric: 'slow', ratio: 0.5 })] });
  assert.match(table, /^m +x +10 +5 \(aztec\) +2 +>= 2 +yes$/m);
  assert.match(table, /^slow .* NO$/m);
});
