import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeStore } from './storage.js';

test('closeStore waits for a store that closes, and gives up on one whose close never ends, naming it', async (t) => {
  const warned: string[] = [];
  t.mock.method(console, 'warn', (m: string) => warned.push(m));
  let closed = false;
  await closeStore({ close: async () => void (closed = true) }, '/data/ok', 50);
  assert.equal(closed, true);
  assert.deepEqual(warned, []);

  const started = Date.now();
  await closeStore({ close: () => new Promise<void>(() => {}) }, '/data/stuck', 50);
  assert.ok(Date.now() - started >= 45, 'it waited for the limit');
  assert.equal(warned.length, 1);
  assert.match(warned[0]!, /^\/data\/stuck: the store did not close within 50 ms/);
});
