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
import { Body, GlobalVariables, L2Block, addressToField } from '@quetzal/protocol/block';
import { CircuitExecutionError, type CircuitProofResult } from '@quetzal/protocol/circuit-prover';
import { L1_TO_L2_MSG_SUBTREE_HEIGHT, L1_TO_L2_MSG_TREE_HEIGHT, L1_TO_L2_MSGS_PER_BLOCK, MAX_L2_BLOCK_NUMBER } from '@quetzal/protocol/constants';
import {
  blockConstants, buildBaseInputs, buildBlockRootEmptyInputs, buildBlockRootInputs, buildParityBaseInputs, buildParityRootInputs, buildRootInputs,
} from '@quetzal/protocol/circuits/block-building';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import { TestWorld, ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
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
    const messages = await inbox.getLeavesForBlock(Number(n));
    assert.equal(messages.length, n === MAX ? 3 : 0);
    const globals = new GlobalVariables(chainId, version, n, slot, env.genesisTime + slot * env.slotDuration, addressToField(accounts[5]!.address));
    const constants = blockConstants(world.archiveSnapshot(), globals, vkTree.root);
    const txResult = await prover.proveTx(
      buildTxCircuitInputs({ secret, nonce: n, chainId, version, transactionFee: 10n, noteHashes: [n], l2ToL1Msgs: [{ recipient: BigInt(accounts[4]!.address), content: n }] }),
    );
    const base = await prover.proveBase(await buildBaseInputs(world.fork(), { tx: txResult.publicOutputs, txProof: childProofOf(txResult, vkTree), constants }));
    const [p0, p1] = buildParityBaseInputs(messages, vkTree.root);
    const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(p0!), await prover.proveParityBase(p1!), vkTree));
    const previousHeader = world.lastHeader;
    const txEffects = [new Tx(txResult.publicOutputs, txResult.proof).toEffect()];
    const { header, archive, witness } = await world.finishBlock({ txEffects, l1ToL2Messages: messages, globals });
    const blockRoot = await prover.proveBlockRoot(buildBlockRootInputs({ txs: base, parity, previousHeader, witness, vkTree }));
    assert.equal(blockRoot.publicOutputs.headerHashes[0], header.hash(), `block ${n}: header hash`);
    assert.equal(blockRoot.publicOutputs.newArchive.root, archive.root);
    // block n appended message subtree n - 1 (of 2^32) and archive leaf n
    assert.equal(header.state.l1ToL2MessageTree.nextAvailableLeafIndex, n * BigInt(L1_TO_L2_MSGS_PER_BLOCK));
    assert.equal(archive.nextAvailableLeafIndex, n + 1n);
    await rollup.propose(env.sender(1), new L2Block(header, new Body(txEffects), archive));
    blockRoots.push(blockRoot);
  }
  assert.equal((await rollup.getTips()).pending, MAX_L2_BLOCK_NUMBER);
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
  const previousArchive = world.headers[1]!.lastArchive.root; // the seeded genesis archive
  await rollup.submitEpochRootProof(env.sender(3), { epoch: 0, previousArchive, endArchive: world.archive.root(), proverId }, '0x');
  assert.deepEqual(await rollup.getTips(), { pending: MAX_L2_BLOCK_NUMBER, proven: MAX_L2_BLOCK_NUMBER });

  // block 2^32 + 1: refused by L1 by name ...
  await env.warpToSlot(5);
  const next = buildBlock({ blockNumber: MAX + 1n, slot: 5n, lastArchive: world.archive.root(), env });
  const proposal = env.sender(1).sendContractTx({
    address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'propose', args: [next.headerHex, fieldHex(next.archive), next.bodyHex],
  });
  assert.deepEqual(await rejectsWith(proposal, 'BlockNumberBeyondCapacity'), [MAX, MAX + 1n]);
  // ... and by the circuits: its message subtree (index 2^32) is outside the tree. Block building refuses it (the
  // full tree has no path there); a path of zeros stands in for one
  const globals = new GlobalVariables(chainId, version, MAX + 1n, 5n, env.genesisTime + 5n * env.slotDuration, 0n);
  await assert.rejects(world.finishBlock({ txEffects: [], l1ToL2Messages: [], globals }), /out of range for height 36/);
  const [e0, e1] = buildParityBaseInputs([], vkTree.root);
  const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(e0!), await prover.proveParityBase(e1!), vkTree));
  const witness = {
    previousHeaderPath: world.archive.getSiblingPath(Number(MAX)),
    l1ToL2SubtreePath: Array<bigint>(L1_TO_L2_MSG_TREE_HEIGHT - L1_TO_L2_MSG_SUBTREE_HEIGHT).fill(0n),
    newArchivePath: world.archive.getSiblingPath(Number(MAX) + 1),
  };
  const constants = blockConstants(world.archiveSnapshot(), globals, vkTree.root);
  const inputs = buildBlockRootEmptyInputs({ constants, parity, previousHeader: world.lastHeader, witness, vkTree });
  await assert.rejects(prover.proveBlockRootEmpty(inputs), (e: unknown) => {
    assert.ok(e instanceof CircuitExecutionError, String(e));
    assert.equal(e.circuit, 'block-root-empty');
    // the subtree index is range-checked by its 32-level sibling path
    assert.match(e.reason, /failed to decompose into specified 32 limbs/);
    return true;
  });
});
