// The archiver against anvil: blocks decoded from calldata, messages, claims, proofs, an L1 reorg
// that removes a block, a prune (and a reorg that undoes it), and a restart in the middle of a sync.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { PublicClient } from 'viem';
import { anvilRpc, inboxAbi, RollupContract } from '@quetzal/l1';
import { Archiver, ArchiverStore, createArchiverClient, registerArchiverRpc } from '@quetzal/archiver';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import { accounts, claim, effect, fundEscrow, proposeNext, setup, signQuote, type BuiltBlock, type Env } from '../l1/harness.js';

const PROVER = 2;
const log = pino({ level: 'silent' });

describe('archiver against anvil', () => {
  let env: Env;
  let dir: string;
  const opened: ArchiverStore[] = [];
  const blocks: BuiltBlock[] = [];
  let leaf: bigint;

  const archiverAt = (path: string, batchSize = 100, client: PublicClient = env.client, logger = log) => {
    const store = new ArchiverStore(path);
    opened.push(store);
    return { store, archiver: new Archiver(client, env.deployment, store, { batchSize, pollingIntervalMs: 50 }, logger) };
  };
  let main: ReturnType<typeof archiverAt>;

  before(async () => {
    env = await setup();
    dir = mkdtempSync(join(tmpdir(), 'qz-archiver-'));
    main = archiverAt(join(dir, 'main'));
  });
  after(async () => {
    for (const s of opened) await s.close().catch(() => {});
    await env.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs proposed blocks (from calldata), L1->L2 messages, claims and proofs', async () => {
    await env.warpToSlot(1);
    const sent = await env.sender(3).sendContractTx({
      address: env.deployment.addresses.inbox, abi: inboxAbi, functionName: 'sendL2Message', args: [`0x${'11'.padStart(64, '0')}`, `0x${'22'.padStart(64, '0')}`, `0x${'33'.padStart(64, '0')}`],
    });
    assert.equal(sent.receipt.status, 'success');
    [leaf] = (await env.c.inbox.read.getLeaves([2n])).map((x) => BigInt(x));
    blocks.push(await proposeNext(env, 1));
    await env.warpToSlot(2);
    blocks.push(await proposeNext(env, 1, { inHashLeaves: [leaf!] }));

    await main.archiver.sync();
    assert.equal(await main.archiver.getBlockNumber(), 2);
    for (const [i, b] of blocks.entries()) {
      const got = (await main.archiver.getBlock(i + 1))!;
      assert.equal(got.headerHash(), b.header.hash(), `block ${i + 1} header`);
      assert.equal(got.archive.root, b.archive);
      assert.equal(got.body.numTxs, b.body.numTxs);
    }
    assert.deepEqual((await main.archiver.getL1ToL2Messages(2)).slice(0, 2), [leaf, 0n]);
    assert.deepEqual(await main.archiver.getL1ToL2Messages(1), Array(16).fill(0n));
    assert.deepEqual(await main.archiver.getTxHashesForEpoch(0), [100n, 200n]);
    assert.equal(await main.archiver.isEpochComplete(0), false);

    await fundEscrow(env, PROVER, 1000n);
    await env.warpToSlot(4);
    await claim(env, 1, await signQuote(env, PROVER, { epochToProve: 0n }));
    await new RollupContract(env.client, env.deployment.addresses.rollup).submitEpochRootProof(
      env.sender(PROVER),
      { epoch: 0, previousArchive: env.deployment.params.genesisArchiveRoot, endArchive: blocks[1]!.archive, proverId: accounts[PROVER]!.address },
      '0x',
    );
    await main.archiver.sync();
    assert.deepEqual(await main.archiver.getTips(), { pending: 2, proven: 2 });
    assert.equal((await main.archiver.getEpochProofClaim(0))?.prover, accounts[PROVER]!.address);
    assert.equal(await main.archiver.isEpochComplete(0), true);
  });

  it('rewinds when an L1 reorg removes the block holding a proposal, then re-syncs the replacement', async () => {
    await env.warpToSlot(5);
    await proposeNext(env, 1);
    await main.archiver.sync();
    assert.equal(await main.archiver.getBlockNumber(), 3);

    await anvilRpc.raw(env.anvil.url, 'anvil_reorg', [1, []]);
    env.sender(1).resyncNonce();
    await main.archiver.sync();
    assert.equal(await main.archiver.getBlockNumber(), 2, 'the removed block is gone');
    assert.equal(await main.archiver.getBlock(3), undefined);

    const replacement = await proposeNext(env, 1, { txs: [effect(999n)] });
    await main.archiver.sync();
    assert.equal((await main.archiver.getBlock(3))?.headerHash(), replacement.header.hash());
    assert.deepEqual(await main.archiver.getTxHashesForEpoch(1), [999n]);
  });

  it('follows a prune, and restores the pruned blocks when a reorg removes the prune', async () => {
    // epoch 1 (slots 4..7) holds block 3 and is never claimed: prunable from slot 8 + claim window (2)
    await env.warpToSlot(10);
    const rollup = new RollupContract(env.client, env.deployment.addresses.rollup);
    assert.equal((await rollup.getPruneStatus()).reason, 'unclaimed');
    await rollup.prune(env.sender(4));
    await main.archiver.sync();
    assert.deepEqual(await main.archiver.getTips(), { pending: 2, proven: 2 });
    assert.equal(await main.archiver.getBlock(3), undefined);

    await anvilRpc.raw(env.anvil.url, 'anvil_reorg', [1, []]);
    env.sender(4).resyncNonce();
    await main.archiver.sync();
    assert.equal(await main.archiver.getBlockNumber(), 3, 'the prune was reorged out: block 3 is back');
    assert.deepEqual(await main.archiver.getTxHashesForEpoch(1), [999n]);
  });

  it('resumes after a crash in the middle of a sync from its last synced L1 block', async () => {
    const path = join(dir, 'restart');
    const first = archiverAt(path, 3);
    let batches = 0;
    const apply = first.store.applyBatch.bind(first.store);
    first.store.applyBatch = (...args) => {
      if (++batches > 2) throw new Error('crash');
      apply(...args);
    };
    await assert.rejects(first.archiver.sync(), /crash/);
    const synced = first.store.getSynced()!;
    assert.equal(synced.number, Number(env.deployment.deployBlock) - 1 + 6, 'two batches of 3 L1 blocks were committed');
    await first.store.close();

    const froms: bigint[] = [];
    const counting = new Proxy(env.client, {
      get(target, prop, receiver) {
        if (prop === 'getLogs') return (a: { fromBlock: bigint }) => (froms.push(a.fromBlock), target.getLogs(a as never));
        return Reflect.get(target, prop, receiver);
      },
    });
    const lines: string[] = [];
    const second = archiverAt(path, 3, counting, pino({ level: 'info' }, { write: (l: string) => void lines.push(l) }));
    await second.archiver.sync();
    assert.ok(lines.some((l) => /"msg":"archiver catching up \d+ L1 blocks: done"/.test(l)), `a catch-up of many batches reports its progress:\n${lines.join('')}`);
    assert.equal(froms[0], BigInt(synced.number + 1), 'the restarted archiver continues after the last synced block');
    assert.deepEqual(await second.archiver.getTips(), await main.archiver.getTips());
    for (let n = 1; n <= 3; n++) assert.equal((await second.archiver.getBlock(n))?.headerHash(), (await main.archiver.getBlock(n))?.headerHash());
    assert.deepEqual(await second.archiver.getL1ToL2Messages(2), await main.archiver.getL1ToL2Messages(2));
  });

  it('serves the same answers over JSON-RPC (the --archiver.url client)', async () => {
    const rpc = new JsonRpcServer({ maxBodyBytes: 1 << 20, logger: log });
    registerArchiverRpc(rpc, main.archiver);
    const server = createServer((req, res) => void rpc.handleHttp(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const remote = createArchiverClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      const local = main.archiver;
      assert.deepEqual(await remote.getTips(), await local.getTips());
      assert.equal(await remote.getBlockNumber(), await local.getBlockNumber());
      assert.equal(await remote.getProvenBlockNumber(), await local.getProvenBlockNumber());
      assert.deepEqual((await remote.getBlocks(1, 10)).map((b) => b.toBytes()), (await local.getBlocks(1, 10)).map((b) => b.toBytes()));
      assert.equal(await remote.getBlock(99), undefined);
      assert.deepEqual(await remote.getL1ToL2Messages(2), await local.getL1ToL2Messages(2));
      assert.deepEqual(await remote.getTxHashesForEpoch(1), await local.getTxHashesForEpoch(1));
      assert.deepEqual((await remote.getBlocksForEpoch(0)).map((b) => b.number), [1n, 2n]);
      assert.deepEqual(await remote.getRollupConstants(), await local.getRollupConstants());
      assert.deepEqual(await remote.getSyncedL1Block(), await local.getSyncedL1Block());
      assert.equal(await remote.isEpochComplete(0), true);
      assert.equal(await remote.isEpochComplete(50), false);
      assert.deepEqual(await remote.getEpochProofClaim(0), await local.getEpochProofClaim(0));
      assert.equal(await remote.getEpochProofClaim(7), undefined);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

