// The sequencer against anvil: sendTx refusals (double-spent nullifier, malformed tx, unfunded or
// poor fee payer, zero fee included, bad proof), a block built on its world-state fork and proposed
// on L1 (served back by the archiver), the claim of the best quote in the claim window, and after a
// prune the re-validation that drops a pruned block's forged tx instead of proposing it again.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Archiver } from '@quetzal/archiver';
import { RpcRemoteError } from '@quetzal/kernel/jsonrpc/errors';
import type { Sequencer, SequencerMetrics, TxPool } from '@quetzal/sequencer';
import { txConflict } from '@quetzal/protocol/circuits/block-building';
import { SimulatedCircuitProver, SimulatedTxProofVerifier } from '@quetzal/circuit-prover';
import type { ServerWorldStateSynchronizer } from '@quetzal/world-state';
import { devAccountSecret, devGenesis } from '@quetzal/protocol/genesis';
import { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { buildTxCircuitInputs, Tx, type TxRequest } from '@quetzal/protocol/tx';
import type { NodeApi } from '@quetzal/protocol/node-api';
import type { TxProofVerifier } from '@quetzal/protocol/tx-proof-verifier';
import { accounts, fundEscrow, signQuote, type Env } from '../l1/harness.js';
import { startSequencer, type SequencerHarness } from './harness.js';

const PROVER = 2;

describe('sequencer', () => {
  let h: SequencerHarness;
  let env: Env;
  let sequencer: Sequencer;
  let archiver: Archiver;
  let sync: ServerWorldStateSynchronizer;
  let remote: NodeApi;
  let pool: TxPool;
  const rejected: string[] = [];
  const dropped: string[] = [];
  const metrics: SequencerMetrics = {
    onBlockProposed: () => {},
    onClaim: () => {},
    onPrune: () => {},
    onPoolSize: () => {},
    onTxRejected: (field) => void rejected.push(field),
    onTxDropped: (stage) => void dropped.push(stage),
  };
  const prover = new SimulatedCircuitProver();
  let forgedTx: Tx;
  // While set, the pool takes any client proof: an older node's pool, which checked no proofs.
  let olderNode = false;
  const simulatedProofs = new SimulatedTxProofVerifier();
  const proofs: TxProofVerifier = {
    kind: simulatedProofs.kind,
    verifyTxProof: (tx) => (olderNode ? Promise.resolve({ valid: true }) : simulatedProofs.verifyTxProof(tx)),
  };

  const makeTx = async (nonce: bigint, extra: Partial<TxRequest> = {}): Promise<Tx> => {
    const r = await prover.proveTx(buildTxCircuitInputs({ secret: devAccountSecret(0), nonce, chainId: 31337n, version: 1n, transactionFee: 10n, ...extra }));
    return new Tx(r.publicOutputs, r.proof);
  };

  before(async () => {
    h = await startSequencer({ genesis: devGenesis(2), vkTreeRoot: VkTree.simulated().root, proofs, metrics });
    ({ env, sequencer, archiver, sync, remote, pool } = h);
  });
  after(() => h?.close());

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
    await assert.rejects(remote.sendTx(poor), /\(field transactionFee\): fee payer 0x[0-9a-f]+ has balance \d+, below the fee/);
    // bytes that are not a tx at all never reach the sequencer
    const res = await fetch(h.url, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'node_sendTx', params: ['0x00000001ff'] }),
    });
    const body = (await res.json()) as { error?: { message: string } };
    assert.match(body.error?.message ?? '', /malformed tx/);
  });

  it('checks the fee payer of every tx, zero-fee ones included', async () => {
    const unfunded = 987654321n; // no balance in the dev genesis
    const free = await makeTx(1n, { secret: unfunded, transactionFee: 0n });
    await assert.rejects(remote.sendTx(free), /\(field feePayer\): fee payer 0x[0-9a-f]+ has no balance \(every tx, zero-fee included/);
    const before = rejected.length;
    await assert.rejects(remote.sendTx(await makeTx(2n, { secret: unfunded, transactionFee: 5n })), /has no balance/);
    assert.deepEqual(rejected.slice(before), ['feePayer'], 'counted by field');
    // a zero-fee tx of a funded account is fine; its nullifier then counts like any other
    const zeroFee = await makeTx(1n, { secret: devAccountSecret(1), transactionFee: 0n });
    assert.equal(await remote.sendTx(zeroFee), zeroFee.hash());
    const twin = await makeTx(1n, { secret: devAccountSecret(1), transactionFee: 0n, noteHashes: [3n] });
    await assert.rejects(remote.sendTx(twin), /\(field nullifiers\): nullifier 0x[0-9a-f]+ is already used by tx/);
  });

  it('rejects a tx with a bad client proof, naming the proof', async () => {
    const good = await makeTx(5n);
    const forged = new Tx(good.publicOutputs, good.proof.map((_, i) => (i === 7 ? 1n : 0n)));
    const err = await remote.sendTx(forged).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof RpcRemoteError, `expected a JSON-RPC error, got ${String(err)}`);
    assert.match(err.message, /\(field proof\): client proof does not verify \(simulated proofs\): the client proof is not the placeholder/);
    assert.deepEqual(err.data, { field: 'proof' });
    const short = new Tx(good.publicOutputs, good.proof.slice(1));
    await assert.rejects(remote.sendTx(short), /the client proof has 457 fields, expected 458/);
  });

  it('proposes a block with the pending txs, which the archiver serves; a spent nullifier is then refused', async () => {
    // A forged tx that reached the pool without node_sendTx's checks (an older node's pool, say):
    // the block builder checks state, not proofs, so it is proposed; after a prune it must not be.
    const good = await makeTx(9n);
    forgedTx = new Tx(good.publicOutputs, good.proof.map((_, i) => (i === 3 ? 5n : 0n)));
    olderNode = true;
    await pool.add(forgedTx);
    olderNode = false;
    await env.warpToSlot(1);
    await sequencer.tick();
    await archiver.sync();
    const block = (await archiver.getBlock(1))!;
    assert.ok(block, 'block 1 is on L1');
    assert.deepEqual(block.body.txEffects.map((e) => e.txHash).slice(-1), [forgedTx.hash()]);
    assert.equal(block.body.numTxs, 3, 'the valid tx, the zero-fee tx and the forged tx');
    const [mined] = await remote.getTxsByHash([block.body.txEffects[0]!.txHash]);
    assert.ok(mined, 'the mined tx is still served by hash');
    assert.equal(await remote.getPendingTxCount(), 0);
    // a different tx with the mined tx's first nullifier
    const respend = await makeTx(1n, { noteHashes: [7n] });
    await assert.rejects(remote.sendTx(respend), /double spend/);
    // and once the block is in the sequencer's world state, the state itself refuses it
    await sync.syncImmediate(1);
    assert.match((await txConflict(sync.getCommitted(), respend.publicOutputs))?.reason ?? '', /nullifier 0x[0-9a-f]+ already exists \(double spend\)/);
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

  it('prunes when the claimed epoch misses its proof deadline, re-validates the pruned txs and re-proposes the valid ones', async () => {
    const minedTxs = (await archiver.getBlock(1))!.body.txEffects.map((e) => e.txHash);
    await env.warpToSlot(10); // epoch 0's deadline: start of epoch 1 (slot 4) + 6 slots
    await sequencer.tick(); // prunes (the archiver has not seen the prune yet: nothing returns to the pool)
    await archiver.sync();
    assert.deepEqual(await archiver.getTips(), { pending: 0, proven: 0 });
    await sequencer.tick(); // the txs of the pruned block are pending again: the forged one is dropped, the others go into a new block 1
    await archiver.sync();
    const again = (await archiver.getBlock(1))!;
    assert.equal(again.header.globalVariables.slotNumber, 10n);
    assert.deepEqual(again.body.txEffects.map((e) => e.txHash), minedTxs.filter((h) => h !== forgedTx.hash()));
    assert.deepEqual(dropped, ['revalidation'], 'the drop is counted');
    assert.equal(await remote.getTxByHash(forgedTx.hash()), undefined, 'and the forged tx is gone from the pool');
    assert.deepEqual(pool.toRecheck(), []);
  });
});

