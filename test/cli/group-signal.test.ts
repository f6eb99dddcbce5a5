import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isolatedEnv, startCli } from '../helpers/cli.js';

// A terminal's Ctrl-C signals the whole process group: the node and every child it started (anvil,
// bb). The node must still stop within its limit, although its children die first.
test('Ctrl-C to the process group of a local network stops it within the stop limit', async () => {
  const node = await startCli(
    ['--local-network', '--sequencer', '--archiver', '--port', '0', '--local-network.anvil-port', '0', '--local-network.slot-duration', '3', '--stop-timeout-ms', '8000'],
    isolatedEnv(),
    90_000,
    { detached: true },
  );
  // let it hash and sync for a moment, so the stop happens mid-work
  await new Promise((r) => setTimeout(r, 2_000));
  const { code, ms } = await node.stop('SIGINT', { group: true });
  assert.ok(ms < 10_000, `took ${ms} ms to stop`);
  assert.equal(code, 0, node.logs().slice(-3000));
});
