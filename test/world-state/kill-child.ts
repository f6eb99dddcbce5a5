// Child process for the kill -9 test: commits big deterministic blocks forever, printing each
// committed block number. Usage: node --import tsx kill-child.ts <dir>
// With KILL_MIDWRITE=1 it stops inside the LMDB write transaction of its second block (after
// writing 1000 entries), prints "midwrite <n>" and waits there to be killed.
import { writeSync } from 'node:fs';
import { LmdbWorldState } from '@quetzal/world-state';
import { TreeStore } from '../../plugins/world-state/src/store.js';
import { KILL_HEIGHTS, killEffects } from './kill-effects.js';

if (process.env.KILL_MIDWRITE === '1') {
  const orig = TreeStore.prototype.commitBlock;
  let commits = 0;
  TreeStore.prototype.commitBlock = function (this: TreeStore, block, entries, meta, extra) {
    const stopHere = ++commits === 2;
    function* wrapped() {
      let i = 0;
      for (const e of entries) {
        yield e;
        if (stopHere && ++i === 1000) {
          writeSync(1, `midwrite ${block}\n`);
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
        }
      }
    }
    return orig.call(this, block, wrapped(), meta, extra);
  };
}

const ws = await LmdbWorldState.open(process.argv[2], { heights: KILL_HEIGHTS });
let latest = (await ws.getStatus()).latestBlockNumber;
process.stdout.write(`ready ${latest}\n`);
for (;;) {
  latest++;
  await ws.commitBlock(killEffects(latest));
  process.stdout.write(`committed ${latest}\n`);
}
