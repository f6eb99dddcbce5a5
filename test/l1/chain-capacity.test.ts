// The chain at the end of its capacity. A world (reference trees) and the L1 contracts are seeded, test only,
// at genesis block MAX_L2_BLOCK_NUMBER - 2 = 2^32 - 2; the epoch of the last two blocks (2^32 - 1 and 2^32:
// L1->L2 message subtrees 2^32 - 2 and 2^32 - 1, archive leaves up to 2^32, far beyond the old trees' 4,096 and
// 65,536 blocks) is proven by the simulated prover (the ACVM checks every constraint) and accepted on L1 with
// the public inputs the Rollup rebuilds. Block 2^32 + 1 is refused by L1 by name, and the circuits could not
// prove it either; the Inbox refuses messages no block could consume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InboxContract, RollupContract, rollupAbi } from '@quetzal/l1';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import {
  AppendOnlyTreeSnapshot, BlockHeader, Body, ContentCommitment, GlobalVariables, L2Block, addressToField, blockOutHash, computeInHash, txsEffectsHash,
} from '@quetzal/protocol/block';
import { CircuitExecutionError, type CircuitProofResult } from '@quetzal/protocol/circuit-prover';
import { L1_TO_L2_MSG_TREE_HEIGHT, L1_TO_L2_MSGS_PER_BLOCK, MAX_L2_BLOCK_NUMBER } from '@quetzal/protocol/constants';
import {
  appendBlockHash, buildBaseInputs, buildBlockRootEmptyInputs, buildBlockRootInputs, buildParityBaseInputs, buildParityRootInputs, buildRootInputs,
} from '@quetzal/protocol/circuits/builders';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import { globalVariablesToCircuit, snapshotToCircuit } from '@quetzal/protocol/circuits/convert';
import { TestWorld, ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import type { AppendOnlyTree } from '@quetzal/protocol/trees/types';
import { Tx, buildTxCircuitInputs, feePayerOf } from '@quetzal/protocol/tx';
import { accounts, buildBlock, claim, fieldHex, fundEscrow, rejectsWith, seedChainAt, setExpectedPublicInputs, setup, signQuote } from './harness.js';

const MAX = BigInt(MAX_L2_BLOCK_NUMBER);
const G = MAX - 2n;
const chainId = 31337n;
const version = 1n;
const secret = 4242n;
const PROVER = 2;

test('the last two blocks the trees hold are proven and accepted on L1; the next one is refused', { timeout: 10 * 60_000 }, async (t) => {
  assert.equal(MAX, 2n ** 32n);
  await ensureCircuitsBuilt();
  const prover = new SimulatedCircuitProver();
  const vkTree = await prover.getVkTree();
  const world = TestWorld.genesis({ chainId, version, balances: [[feePayerOf(secret), 1_000_000n]], genesisBlockNumber: G });
  const env = await setup({ vkTreeRoot: vkTree.root });
  t.after(() => env.stop());
  await seedChainAt(env, G, world.archive.root());
  const rollup = new RollupContract(env.client, env.deployment.addresses.rollup);
  const inbox = new InboxContract(env.client, env.deployment.addresses.inbox);
  for (let i = 0n; i < 3n; i++) await inbox.sendL2Message(env.sender(3), { recipient: 7n, content: 100n + i, secretHash: 9n });
  assert.equal(await inbox.inProgress(), MAX, 'the messages go to the last tree a block can consume');

  const blockRoots: CircuitProofResult<'block-root'>[] = [];
  for (const slot of [1n, 2n]) {
    const n = G + slot;
    await env.warpToSlot(slot);
    const messages = await inbox.getLeavesForBlock(n);
    assert.equal(messages.length, n === MAX ? 3 : 0);
    const globals = new GlobalVariables(chainId, version, n, slot, env.genesisTime + slot * env.slotDuration, addressToField(accounts[5]!.address));
    const lastArchive = world.archiveSnapshot();
    const constants = { lastArchive: snapshotToCircuit(lastArchive), globalVariables: globalVariablesToCircuit(globals), vkTreeRoot: vkTree.root };
    const txResult = await prover.proveTx(
      buildTxCircuitInputs({ secret, nonce: n, chainId, version, transactionFee: 10n, noteHashes: [n], l2ToL1Msgs: [{ recipient: BigInt(accounts[4]!.address), content: n }] }),
    );
    const base = await prover.proveBase(buildBaseInputs({ tx: txResult.publicOutputs, txProof: childProofOf(txResult, vkTree), constants, trees: world.trees }));
    const [p0, p1] = buildParityBaseInputs(messages, vkTree.root);
    const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(p0!), await prover.proveParityBase(p1!), vkTree));
    const previousHeader = world.lastHeader;
    const blockRoot = await prover.proveBlockRoot(
      buildBlockRootInputs({ txs: base, parity, previousHeader, archive: world.archive, l1ToL2: world.l1ToL2, l1ToL2Messages: messages, vkTree }),
    );
    const effects = [new Tx(txResult.publicOutputs, txResult.proof).toEffect()];
    const header = new BlockHeader(
      lastArchive,
      new ContentCommitment(1n, txsEffectsHash(effects), computeInHash(messages), blockOutHash(effects)),
      world.stateReference(),
      globals,
      10n,
    );
    assert.equal(blockRoot.publicOutputs.headerHashes[0], header.hash(), `block ${n}: header hash`);
    world.headers.push(header);
    appendBlockHash(world.archive, header);
    assert.equal(blockRoot.publicOutputs.newArchive.root, world.archive.root());
    // block n appended message subtree n - 1 (of 2^32) and archive leaf n
    assert.equal(header.state.l1ToL2MessageTree.nextAvailableLeafIndex, n * BigInt(L1_TO_L2_MSGS_PER_BLOCK));
    assert.equal(blockRoot.publicOutputs.newArchive.nextAvailableLeafIndex, n + 1n);
    await rollup.propose(env.sender(1), new L2Block(header, new Body(effects), new AppendOnlyTreeSnapshot(world.archive.root(), n + 1n)));
    blockRoots.push(blockRoot);
  }
  assert.equal((await rollup.getTips()).pending, MAX);
  assert.equal(world.l1ToL2.size(), 2 ** L1_TO_L2_MSG_TREE_HEIGHT, 'the L1->L2 message tree is full');
  // the Inbox takes no message no block could consume
  assert.deepEqual(await rejectsWith(inbox.sendL2Message(env.sender(3), { recipient: 7n, content: 1n, secretHash: 9n }), 'InboxFull'), [MAX]);

  // the epoch (blocks 2^32 - 1 and 2^32) proven: the Rollup's rebuilt public inputs are the root circuit's outputs
  await fundEscrow(env, PROVER, 100n);
  await env.warpToSlot(4);
  await claim(env, 1, await signQuote(env, PROVER, { epochToProve: 0n }));
  const proverId = accounts[PROVER]!.address;
  const root = await prover.proveRoot(buildRootInputs(blockRoots[0]!, blockRoots[1]!, BigInt(proverId), vkTree));
  await setExpectedPublicInputs(env, root.publicInputs);
  const previousArchive = world.headers[1]!.lastArchive.root;
  await rollup.submitEpochRootProof(env.sender(3), { epoch: 0n, previousArchive, endArchive: world.archive.root(), proverId }, '0x');
  assert.deepEqual(await rollup.getTips(), { pending: MAX, proven: MAX });

  // block 2^32 + 1: refused by L1 by name ...
  await env.warpToSlot(5);
  const next = buildBlock({ blockNumber: MAX + 1n, slot: 5n, lastArchive: world.archive.root(), env });
  const proposal = env.sender(1).sendContractTx({
    address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'propose', args: [next.headerHex, fieldHex(next.archive), next.bodyHex],
  });
  assert.deepEqual(await rejectsWith(proposal, 'BlockNumberBeyondCapacity'), [MAX, MAX + 1n]);
  // ... and by the circuits: its message subtree (index 2^32) is outside the tree. A message tree whose paths
  // are all zeros stands in for the full one (which has no path at that index to give).
  const [e0, e1] = buildParityBaseInputs([], vkTree.root);
  const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(e0!), await prover.proveParityBase(e1!), vkTree));
  const fullTree = { size: () => world.l1ToL2.size(), getSiblingPath: () => Array<bigint>(L1_TO_L2_MSG_TREE_HEIGHT).fill(0n), appendLeaves: () => {} } as unknown as AppendOnlyTree;
  const globals = new GlobalVariables(chainId, version, MAX + 1n, 5n, env.genesisTime + 5n * env.slotDuration, 0n);
  const constants = { lastArchive: snapshotToCircuit(world.archiveSnapshot()), globalVariables: globalVariablesToCircuit(globals), vkTreeRoot: vkTree.root };
  const inputs = buildBlockRootEmptyInputs({ constants, parity, previousHeader: world.lastHeader, archive: world.archive, l1ToL2: fullTree, l1ToL2Messages: [], vkTree });
  await assert.rejects(prover.proveBlockRootEmpty(inputs), (e: unknown) => {
    assert.ok(e instanceof CircuitExecutionError, String(e));
    assert.equal(e.circuit, 'block-root-empty');
    console.log(`# block ${MAX + 1n}: ${e.message}`);
    return true;
  });
});
