// The sequencer against anvil: sendTx refusals (double-spent nullifier, malformed tx, bad proof),
// a block built on its world-state fork and proposed on L1 (served back by the archiver), and the
// claim of the best quote in the claim window.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { JsonRpcServer } from '@quetzal/kernel/jsonrpc/server';
import { Archiver, ArchiverStore } from '@quetzal/archiver';
import { createL1Connection } from '@quetzal/l1-client';
import { genesisArchiveRoot } from '@quetzal/local-network';
import { createNodeClient, registerNodeRpc, Sequencer, simulatedProofCheck, TxPool } from '@quetzal/sequencer';
import { txConflict } from '@quetzal/protocol/circuits/block-building';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { LmdbWorldState, ServerWorldStateSynchronizer } from '@quetzal/world-state';
import { devAccountSecret, devGenesis } from '@quetzal/protocol/genesis';
import { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { buildTxCircuitInputs, Tx, type TxRequest } from '@quetzal/protocol/tx';
import type { NodeApi } from '@quetzal/protocol/node-api';
import { accounts, fundEscrow, KEYS, setup, signQuote, type Env } from '../l1/harness.js';

const log = pino({ level: 'silent' });
const PROVER = 2;

describe('sequencer', () => {
  let env: Env;
  let dir: string;
  let sequencer: Sequencer;
  let archiver: Archiver;
  let sync: ServerWorldStateSynchronizer;
  let remote: NodeApi;
  let server: Server;
  const closers: (() => Promise<unknown>)[] = [];
  const prover = new SimulatedCircuitProver();
  const genesis = devGenesis(2);

  const makeTx = async (nonce: bigint, extra: Partial<TxRequest> = {}): Promise<Tx> => {
    const r = await prover.proveTx(buildTxCircuitInputs({ secret: devAccountSecret(0), nonce, chainId: 31337n, version: 1n, transactionFee: 10n, ...extra }));
    return new Tx(r.publicOutputs, r.proof);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qz-sequencer-'));
    env = await setup({ genesisArchiveRoot: await genesisArchiveRoot(genesis, 31337n, 1n), vkTreeRoot: VkTree.simulated().root });
    const l1 = await createL1Connection({ rpcUrls: [env.anvil.url], deployment: env.deployment, genesis, pollingIntervalMs: 20 });
    const store = new ArchiverStore(join(dir, 'archiver'));
    archiver = new Archiver(env.client, env.deployment, store, { batchSize: 100, pollingIntervalMs: 50 }, log);
    const ws = await LmdbWorldState.open(join(dir, 'ws'), { genesis: { publicData: genesis.publicData, chainId: 31337n, version: 1n } });
    sync = new ServerWorldStateSynchronizer(ws, archiver);
    const pool = new TxPool(join(dir, 'pool'), { validation: { chainId: 31337n, version: 1n, state: () => sync.getCommitted(), checkProof: simulatedProofCheck } });
    sequencer = new Sequencer(l1, l1.sender(KEYS[1]!), archiver, sync, pool,
      { coinbase: accounts[5]!.address, maxTxsPerBlock: 8, pollingIntervalMs: 50, minSecondsLeftInSlot: 0 }, log);
    const rpc = new JsonRpcServer({ maxBodyBytes: 1 << 20, logger: log });
    registerNodeRpc(rpc, sequencer);
    server = createServer((req, res) => void rpc.handleHttp(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    remote = createNodeClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    closers.push(() => new Promise((r) => server.close(r)), () => store.close(), () => pool.close(), () => ws.close(), () => env.stop());
  });
  after(async () => {
    await sequencer.stop();
    for (const c of closers) await c().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a valid tx over JSON-RPC and serves it by hash', async () => {
    const tx = await makeTx(1n);
    assert.equal(await remote.sendTx(tx), tx.hash());
    assert.equal((await remote.getTxByHash(tx.hash()))?.hash(), tx.hash());
    const [found, missing] = await remote.getTxsByHash([tx.hash(), 123n]);
    assert.deepEqual(found?.toBytes(), tx.toBytes());
    assert.equal(missing, undefined);
    await assert.rejects(remote.sendTx(tx), /already known/);
  });

  it('rejects a tx whose nullifier a pending tx already uses', async () => {
    // same secret and nonce: same first nullifier, different tx
    const twin = await makeTx(1n, { noteHashes: [42n] });
    await assert.rejects(remote.sendTx(twin), /nullifier 0x[0-9a-f]+ is already used by tx .*double spend/);
  });

  it('rejects malformed txs with the reason', async () => {
    await assert.rejects(remote.sendTx(await makeTx(2n, { chainId: 5n })), /chainId 5, this network is 31337/);
    const good = await makeTx(3n);
    const noNullifier = new Tx({ ...good.publicOutputs, nullifiers: [0n, 0n, 0n, 0n] }, good.proof);
    await assert.rejects(remote.sendTx(noNullifier), /nullifiers\[0\] is 0/);
    const poor = await makeTx(4n, { transactionFee: 10n ** 31n });
    await assert.rejects(remote.sendTx(poor), /has balance \d+, below the fee/);
    // bytes that are not a tx at all never reach the sequencer
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'node_sendTx', params: ['0x00000001ff'] }),
    });
    const body = (await res.json()) as { error?: { message: string } };
    assert.match(body.error?.message ?? '', /malformed tx/);
  });

  it('rejects a tx with a bad client proof', async () => {
    const good = await makeTx(5n);
    const forged = new Tx(good.publicOutputs, good.proof.map((_, i) => (i === 7 ? 1n : 0n)));
    await assert.rejects(remote.sendTx(forged), /client proof is not a simulated proof/);
    const short = new Tx(good.publicOutputs, good.proof.slice(1));
    await assert.rejects(remote.sendTx(short), /client proof has 457 fields, expected 458/);
  });

  it('proposes a block with the pending txs, which the archiver serves; a spent nullifier is then refused', async () => {
    await env.warpToSlot(1);
    await sequencer.tick();
    await archiver.sync();
    const block = (await archiver.getBlock(1))!;
    assert.ok(block, 'block 1 is on L1');
    assert.equal(block.body.numTxs, 1);
    const [mined] = await remote.getTxsByHash([block.body.txEffects[0]!.txHash]);
    assert.ok(mined, 'the mined tx is still served by hash');
    assert.equal(await remote.getPendingTxCount(), 0);
    // a different tx with the mined tx's first nullifier
    const respend = await makeTx(1n, { noteHashes: [7n] });
    await assert.rejects(remote.sendTx(respend), /double spend/);
    // and once the block is in the sequencer's world state, the state itself refuses it
    await sync.syncImmediate(1);
    assert.match((await txConflict(sync.getCommitted(), respend.publicOutputs)) ?? '', /nullifier 0x[0-9a-f]+ already exists \(double spend\)/);
  });

  it('validates quotes and claims the best one in the claim window', async () => {
    await fundEscrow(env, PROVER, 1000n);
    const forged = await signQuote(env, PROVER, { epochToProve: 0n });
    await assert.rejects(remote.submitEpochProofQuote({ ...forged, quote: { ...forged.quote, basisPointFee: 1 } }), /signed by 0x[0-9a-fA-F]+, not by the prover/);
    await assert.rejects(remote.submitEpochProofQuote(await signQuote(env, PROVER, { epochToProve: 0n, bondAmount: 1n })), /below the Rollup's minimum bond/);
    await assert.rejects(remote.submitEpochProofQuote(await signQuote(env, PROVER, { epochToProve: 5n })), /not claimable now/);
    await remote.submitEpochProofQuote(await signQuote(env, PROVER, { epochToProve: 0n, basisPointFee: 500 }));
    await assert.rejects(remote.submitEpochProofQuote(await signQuote(env, 3, { epochToProve: 0n, basisPointFee: 300 })), /escrow deposit 0 does not cover the bond/); // cheaper, but unfunded
    await env.warpToSlot(4); // epoch 1, inside the claim window of epoch 0
    await sequencer.tick();
    await archiver.sync();
    const claim = await archiver.getEpochProofClaim(0);
    assert.equal(claim?.prover, accounts[PROVER]!.address, 'the best funded quote was claimed');
    assert.equal(claim?.basisPointFee, 500);
  });

  it('prunes when the claimed epoch misses its proof deadline, and re-proposes the pruned txs', async () => {
    const [minedTx] = (await archiver.getBlock(1))!.body.txEffects.map((e) => e.txHash);
    await env.warpToSlot(10); // epoch 0's deadline: start of epoch 1 (slot 4) + 6 slots
    await sequencer.tick(); // prunes (the archiver has not seen the prune yet: nothing returns to the pool)
    await archiver.sync();
    assert.deepEqual(await archiver.getTips(), { pending: 0, proven: 0 });
    await sequencer.tick(); // the tx of the pruned block is pending again, and goes into a new block 1
    await archiver.sync();
    const again = (await archiver.getBlock(1))!;
    assert.equal(again.header.globalVariables.slotNumber, 10n);
    assert.deepEqual(again.body.txEffects.map((e) => e.txHash), [minedTx]);
  });
});

