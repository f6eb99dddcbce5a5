// Fork creation time of Aztec's NativeWorldStateService (@aztec/world-state 4.1.2). Run by
// bench/world-state.ts through the Aztec baseline tool's private node (copied next to its
// node_modules): ./node.sh aztec-world-state-fork.mjs [forks=500] [leaves=65536]
import { mkdtemp, rm } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { NativeWorldStateService } from '@aztec/world-state';
import { MerkleTreeId } from '@aztec/stdlib/trees';
import { Fr } from '@aztec/foundation/curves/bn254';
import { EthAddress } from '@aztec/foundation/eth-address';
import { Barretenberg, BarretenbergSync } from '@aztec/bb.js';

const bbPath = new URL('./bb.sh', import.meta.url).pathname;
await Barretenberg.initSingleton({ bbPath });
await BarretenbergSync.initSingleton({ bbPath });

const FORKS = Number(process.argv[2] ?? 500);
const LEAVES = Number(process.argv[3] ?? 65536);
const dataDir = await mkdtemp(join(tmpdir(), 'aztec-ws-fork-'));
const mapKb = 16 * 1024 * 1024;
const ws = await NativeWorldStateService.new(EthAddress.ZERO, dataDir, {
  archiveTreeMapSizeKb: mapKb, nullifierTreeMapSizeKb: mapKb, noteHashTreeMapSizeKb: mapKb,
  messageTreeMapSizeKb: mapKb, publicDataTreeMapSizeKb: mapKb,
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// a fork with LEAVES note hashes, to fork from (a fork of a fork is not supported: fork the committed state)
const forkMs = [];
const forkReadMs = [];
for (let i = 0; i < FORKS; i++) {
  let t = performance.now();
  const f = await ws.fork();
  forkMs.push(performance.now() - t);
  t = performance.now();
  await f.getSiblingPath(MerkleTreeId.NOTE_HASH_TREE, 0n);
  forkReadMs.push(performance.now() - t);
  await f.close();
}
// forking while other forks stay open (e.g. one per tx being processed)
const open = [];
const t0 = performance.now();
for (let i = 0; i < 100; i++) open.push(await ws.fork());
const hundredOpenMs = performance.now() - t0;
for (const f of open) await f.close();
void LEAVES; void Fr;

await ws.close();
await Barretenberg.destroySingleton();
await rm(dataDir, { recursive: true, force: true });
console.log(JSON.stringify({ forks: FORKS, forkMedianMs: median(forkMs), firstSiblingPathMedianMs: median(forkReadMs), hundredOpenForksMs: hundredOpenMs }));
process.exit(0);
