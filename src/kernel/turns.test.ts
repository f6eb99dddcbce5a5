import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs';
import { setImmediate as immediate } from 'node:timers/promises';
import { nextTurn } from './turns.js';

test('waiters resume in the order they came', async () => {
  const order: number[] = [];
  await Promise.all(Array.from({ length: 50 }, (_, i) => nextTurn().then(() => order.push(i))));
  assert.deepEqual(order, Array.from({ length: 50 }, (_, i) => i));
});

test('plain setImmediate resumes every waiter in one phase; nextTurn lets a due timer run between two', async () => {
  // the most waiters that ran between two ticks of a 1 ms interval, each waiter busy for 2 ms
  const mostBetweenTicks = async (yieldFn: () => Promise<unknown>) => {
    let sinceTick = 0;
    let most = 0;
    const tick = setInterval(() => (sinceTick = 0), 1);
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        yieldFn().then(() => {
          const until = performance.now() + 2;
          while (performance.now() < until);
          most = Math.max(most, ++sinceTick);
        }),
      ),
    );
    clearInterval(tick);
    return most;
  };
  assert.equal(await mostBetweenTicks(() => immediate()), 20, 'setImmediate: all 20 in one stall');
  assert.ok((await mostBetweenTicks(nextTurn)) <= 2, 'nextTurn: the interval runs between waiters');
});

test('a waiter yielding from an I/O callback resumes after the timers already due', async () => {
  const order = await new Promise<string[]>((resolve) => {
    readFile(import.meta.filename, () => {
      const order: string[] = [];
      setTimeout(() => order.push('timer'), 0);
      const until = performance.now() + 5;
      while (performance.now() < until);
      void nextTurn().then(() => resolve([...order, 'resumed']));
    });
  });
  assert.deepEqual(order, ['timer', 'resumed']);
});
