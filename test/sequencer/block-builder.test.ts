// The sequencer's block, built on an LMDB world-state fork, is the block the circuits build: the
// simulated block-root circuit, fed by block building over the reference trees, outputs the same
// header hash and archive; a tx that no longer applies is left out with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { buildBlock } from '@quetzal/sequencer';
import { LmdbWorldState } from '@quetzal/world-state';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import {
  blockConstants, buildBaseInputs, buildBlockRootInputs, buildMergeInputs, buildParityBaseInputs, buildParityRootInputs,
} from '@quetzal/protocol/circuits/block-building';
import { TestWorld, ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { buildTxCircuitInputs, feePayerOf, Tx } from '@quetzal/protocol/tx';

const chainId = 31337n;
const version = 1n;
const secrets = [11n, 22n];

test('a sequencer block equals what the simulated base, merge, parity and block-root circuits build', async () => {
  await ensureCircuitsBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'qz-block-builder-'));
  const balances = secrets.map((s) => [feePayerOf(s), 1_000_000n] as const);
  const ws = await LmdbWorldState.open(dir, { genesis: { publicData: balances.map(([slot, value]) => ({ slot, value })), chainId, version } });
  try {
    const prover = new SimulatedCircuitProver();
    const vkTree = await prover.getVkTree();
    const world = TestWorld.genesis({ chainId, version, balances });
    assert.equal((await ws.getCommitted().getStateReference()).archive.root, world.archive.root(), 'same genesis archive');

    const proven = await Promise.all(
      secrets.map((secret, i) =>
        prover.proveTx(buildTxCircuitInputs({ secret, nonce: 1n, chainId, version, transactionFee: 100n + BigInt(i), noteHashes: [7n + BigInt(i)], l2ToL1Msgs: [{ recipient: 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n, content: 9n }] })),
      ),
    );
    const txs = proven.map((r) => new Tx(r.publicOutputs, r.proof));
    // a third tx re-using the first one's nullifier is left out
    const double = await prover.proveTx(buildTxCircuitInputs({ secret: secrets[0]!, nonce: 1n, chainId, version, transactionFee: 1n, noteHashes: [99n] }));
    const messages = [1001n, 1002n, 1003n];
    const globals = { chainId, version, blockNumber: 1n, slot: 5n, timestamp: 1_700_000_060n, coinbase: '0x00000000000000000000000000000000000000c0' as const };

    const fork = await ws.fork(0);
    const built = await buildBlock(fork, [...txs, new Tx(double.publicOutputs, double.proof)], messages, globals);
    await fork.close();
    assert.equal(built.included.length, 2);
    assert.match(built.excluded[0]?.reason ?? '', /already exists \(double spend\)/);

    // the circuits' way, on the reference trees
    const gv = new GlobalVariables(chainId, version, 1n, 5n, 1_700_000_060n, 0xc0n);
    const constants = blockConstants(world.archiveSnapshot(), gv, vkTree.root);
    const bases = [];
    for (const r of proven) bases.push(await prover.proveBase(await buildBaseInputs(world.fork(), { tx: r.publicOutputs, txProof: childProofOf(r, vkTree), constants })));
    const merged = await prover.proveMerge(buildMergeInputs(bases[0]!, bases[1]!, vkTree));
    const [pb0, pb1] = buildParityBaseInputs(messages, vkTree.root);
    const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(pb0!), await prover.proveParityBase(pb1!), vkTree));
    const previousHeader = world.lastHeader;
    const { witness } = await world.finishBlock({ txEffects: txs.map((t) => t.toEffect()), l1ToL2Messages: messages, globals: gv });
    const blockRoot = await prover.proveBlockRoot(buildBlockRootInputs({ txs: merged, parity, previousHeader, witness, vkTree }));
    assert.equal(blockRoot.publicOutputs.headerHashes[0], built.block.headerHash(), 'header hash');
    assert.equal(blockRoot.publicOutputs.newArchive.root, built.block.archive.root, 'archive root after the block');
    assert.equal(blockRoot.publicOutputs.totalFees, 201n);
    built.block.checkBody();
  } finally {
    await ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
