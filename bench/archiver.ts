/**
 * Archiver benchmark: L2 blocks per second synced from anvil (log queries, one calldata fetch per
 * block, decoding and the LMDB commit of each batch), from the Rollup's deployment to the head.
 *
 *   node --import tsx bench/archiver.ts      (or `npm run bench -- archiver`; writes bench/results/archiver.json)
 *
 * Workload: BLOCKS blocks of TXS tx effects each, proposed on a local anvil (one per slot, L1
 * timestamps set explicitly), an L1->L2 message every 10 blocks, and every epoch claimed and proven
 * (MockVerifier) so that nothing is pruned. Each run syncs a fresh store;
 * figures are medians of RUNS runs. No baseline: Aztec's archiver needs its own L1 contracts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { anvilRpc, inboxAbi, rollupAbi, RollupContract } from '@quetzal/l1';
import { Archiver, ArchiverStore } from '@quetzal/archiver';
import { machineDescription, median, report, type BenchResult } from './report.js';
import { accounts, buildBlock, claim, effect, fieldHex, fundEscrow, setup, signQuote } from '../test/l1/harness.js';

const BLOCKS = Number(process.env.BENCH_ARCHIVER_BLOCKS ?? 300);
const TXS = 8;
const RUNS = 3;
const PROVER = 2;

export async function run(): Promise<BenchResult> {
  // 4-s slots: a proposal at the slot's start, then a message, a claim and a proof in later L1 blocks of the same slot
  const env = await setup({ slotDuration: 4, epochDuration: 16, claimWindow: 4, proofSubmissionWindow: 8 });
  const dir = mkdtempSync(join(tmpdir(), 'qz-bench-archiver-'));
  try {
    const proposer = env.sender(1);
    const at = (slot: bigint, offset: bigint) => anvilRpc.setNextBlockTimestamp(env.anvil.url, env.genesisTime + slot * env.slotDuration + offset);
    await fundEscrow(env, PROVER, 1_000_000n);
    const archives = new Map<bigint, bigint>([[0n, env.deployment.params.genesisArchiveRoot]]);
    const leavesOf = new Map<bigint, bigint[]>();
    const lastBlockOfEpoch = new Map<bigint, bigint>();
    let slot = (await env.currentSlot()) + 1n;
    const t0 = performance.now();
    for (let n = 1n; n <= BigInt(BLOCKS); n++, slot++) {
      const epoch = slot / env.epochDuration;
      await at(slot, 0n);
      // block n consumes Inbox tree n: a message sent after block n-2 was proposed
      const b = buildBlock({ blockNumber: n, slot, lastArchive: archives.get(n - 1n)!, env, inHashLeaves: leavesOf.get(n) ?? [], txs: Array.from({ length: TXS }, (_, i) => effect(n * 1000n + BigInt(i) * 10n)) });
      await proposer.sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'propose', args: [b.headerHex, fieldHex(b.archive), b.bodyHex], skipSimulation: true, gas: 3_000_000n });
      archives.set(n, b.archive);
      lastBlockOfEpoch.set(epoch, n);
      if (n % 10n === 0n) {
        await at(slot, 1n);
        await env.sender(3).sendContractTx({ address: env.deployment.addresses.inbox, abi: inboxAbi, functionName: 'sendL2Message', args: [fieldHex(n), fieldHex(n + 1n), fieldHex(n + 2n)] });
        leavesOf.set(n + 2n, (await env.c.inbox.read.getLeaves([n + 2n])).map((x) => BigInt(x)));
      }
      if (slot % env.epochDuration === 0n && epoch > 0n && lastBlockOfEpoch.has(epoch - 1n)) {
        // claim and prove the previous epoch (MockVerifier) so that nothing is pruned
        const prev = epoch - 1n;
        await at(slot, 2n);
        await claim(env, 1, await signQuote(env, PROVER, { epochToProve: prev, validUntilSlot: slot }));
        await at(slot, 3n);
        const first = (lastBlockOfEpoch.get(prev - 1n) ?? 0n) + 1n;
        await new RollupContract(env.client, env.deployment.addresses.rollup).submitEpochRootProof(
          env.sender(PROVER),
          { epoch: Number(prev), previousArchive: archives.get(first - 1n)!, endArchive: archives.get(lastBlockOfEpoch.get(prev)!)!, proverId: accounts[PROVER]!.address },
          '0x',
        );
      }
    }
    const proposeSeconds = (performance.now() - t0) / 1000;
    const head = Number(await env.client.getBlockNumber());
    const l1Blocks = head - Number(env.deployment.deployBlock) + 1;

    const runs: { seconds: number; blocksPerSecond: number; l1BlocksPerSecond: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      const store = new ArchiverStore(join(dir, `run-${r}`));
      const archiver = new Archiver(env.client, env.deployment, store, { batchSize: 100, pollingIntervalMs: 1000 }, pino({ level: 'silent' }));
      const s0 = performance.now();
      await archiver.sync();
      const seconds = (performance.now() - s0) / 1000;
      const synced = await archiver.getBlockNumber();
      if (synced !== BLOCKS) throw new Error(`run ${r}: synced ${synced} blocks, expected ${BLOCKS}`);
      if ((await archiver.getProvenBlockNumber()) === 0) throw new Error(`run ${r}: no proof synced`);
      runs.push({ seconds, blocksPerSecond: BLOCKS / seconds, l1BlocksPerSecond: l1Blocks / seconds });
      await store.close();
    }
    const bps = median(runs.map((x) => x.blocksPerSecond));
    return {
      benchmark: 'archiver',
      command: 'npm run bench -- archiver',
      machine: machineDescription(),
      date: new Date().toISOString(),
      results: [
        { metric: `L2 blocks synced from anvil (${TXS} txs each, batch 100)`, unit: 'blocks/s', ours: Math.round(bps * 10) / 10, baseline: null, baselineName: 'none', ratio: null, goal: '>= 50' },
        { metric: 'L1 blocks scanned', unit: 'blocks/s', ours: Math.round(median(runs.map((x) => x.l1BlocksPerSecond)) * 10) / 10, baseline: null, baselineName: 'none', ratio: null, goal: '>= 50' },
      ],
      notes: [
        `${BLOCKS} L2 blocks (${TXS} tx effects, ${Math.round((TXS * 416) / 1024 * 10) / 10} KiB of calldata each), ${BLOCKS / 10} L1->L2 messages, a claim and a proof per 16-block epoch, over ${l1Blocks} L1 blocks; proposing them took ${proposeSeconds.toFixed(1)} s.`,
        `Medians of ${RUNS} full syncs into fresh LMDB stores (seconds: ${runs.map((x) => x.seconds.toFixed(2)).join(', ')}); anvil on the same 2-core machine answers every RPC.`,
        'No baseline: Aztec\'s archiver needs its own L1 contracts and node; the figure is compared with the goal only.',
      ],
      runs,
    };
  } finally {
    await env.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  report(await run());
  process.exit(0);
}
