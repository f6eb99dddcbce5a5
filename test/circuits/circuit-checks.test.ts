// Every circuit: a valid witness passes, and invalid ones fail with the circuit's own assertion
// message. Valid inputs come from a small simulated epoch (2 blocks: 2 txs + 1 tx); invalid ones
// are those inputs with one thing changed. Under the simulated prover the recursive verification
// of child proofs is not checked, so child public outputs can be edited freely.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedCircuitProver } from '@quetzal/circuit-prover';
import { GlobalVariables } from '@quetzal/protocol/block/header';
import { CircuitExecutionError, type CircuitProofResult } from '@quetzal/protocol/circuit-prover';
import type { CircuitName } from '@quetzal/protocol/circuit-names';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import {
  buildBaseInputs,
  buildBlockMergeInputs,
  buildBlockRootEmptyInputs,
  buildBlockRootInputs,
  buildMergeInputs,
  buildParityBaseInputs,
  buildParityRootInputs,
  buildRootInputs,
  buildRootSingleInputs,
} from '@quetzal/protocol/circuits/block-building';
import { globalVariablesToCircuit, headerFromCircuit, snapshotToCircuit, nullifierWitnessToCircuit } from '@quetzal/protocol/circuits/convert';
import { TestWorld, ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import type { CircuitInputs } from '@quetzal/protocol/circuits/structs';
import { VkTree, simulatedVk } from '@quetzal/protocol/circuits/vk-tree';
import { poseidon2Hash } from '@quetzal/protocol/hash/poseidon2';
import type { ChildProof } from '@quetzal/protocol/circuits/structs';
import { BlockHeader, ContentCommitment } from '@quetzal/protocol/block/header';
import { buildTxCircuitInputs, feePayerOf, firstInnerNullifierOf, firstNullifierOf, l2ToL1MessageLeaf, siloNullifier, Tx } from '@quetzal/protocol/tx';
import { computeInHash } from '@quetzal/protocol/block/body';

const chainId = 31337n;
const version = 1n;
const secrets = [11n, 22n, 33n];
const TWO_128 = 1n << 128n;

class RecordingProver extends SimulatedCircuitProver {
  readonly recorded = new Map<CircuitName, unknown[]>();
  override async prove<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>) {
    const list = this.recorded.get(circuit) ?? [];
    list.push(structuredClone(inputs));
    this.recorded.set(circuit, list);
    return super.prove(circuit, inputs);
  }
  first<C extends CircuitName>(circuit: C): CircuitInputs<C> {
    const x = this.recorded.get(circuit)?.[0];
    if (!x) throw new Error(`no ${circuit} inputs recorded`);
    return structuredClone(x) as CircuitInputs<C>;
  }
}

const prover = new RecordingProver();
let vkTree: VkTree;
let world: TestWorld;
/** A snapshot of the world before block 2's base ran (for the duplicate-nullifier case). */
let nullifierTreeBeforeBlock2: TestWorld['nullifier'];

/** Another VK, with its correct hash: not one of the protocol's. */
function forgeVk(p: ChildProof): void {
  p.vk[1]! += 1n;
  p.vkHash = poseidon2Hash(p.vk);
}

async function expectFail<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>, message: string): Promise<void> {
  await assert.rejects(
    prover.prove(circuit, inputs),
    (e: unknown) => {
      assert.ok(e instanceof CircuitExecutionError, `expected a CircuitExecutionError, got ${String(e)}`);
      assert.equal(e.circuit, circuit);
      assert.equal(e.reason, message);
      return true;
    },
  );
}

before(async () => {
  await ensureCircuitsBuilt();
  vkTree = await prover.getVkTree();
  world = TestWorld.genesis({ chainId, version, balances: secrets.map((s) => [feePayerOf(s), 1_000n] as const) });
  const blocks: CircuitProofResult<'block-root'>[] = [];
  const txCounts = [2, 1];
  for (let b = 1; b <= 2; b++) {
    if (b === 2) nullifierTreeBeforeBlock2 = world.nullifier.clone();
    const globals = new GlobalVariables(chainId, version, BigInt(b), BigInt(b), BigInt(1000 + b), 0xc0ffeen);
    const lastArchive = world.archiveSnapshot();
    const constants = { lastArchive: snapshotToCircuit(lastArchive), globalVariables: globalVariablesToCircuit(globals), vkTreeRoot: vkTree.root };
    const bases: CircuitProofResult<'base'>[] = [];
    const effects = [];
    for (let t = 0; t < txCounts[b - 1]!; t++) {
      const txr = await prover.proveTx(
        buildTxCircuitInputs({ secret: secrets[t]!, nonce: BigInt(b), chainId, version, transactionFee: 10n, noteHashes: [BigInt(b * 10 + t + 1)], l2ToL1Msgs: [{ recipient: 0x70997970c51812dc3a010c7d01b50e0d17dc79c8n, content: 7n }] }),
      );
      effects.push(new Tx(txr.publicOutputs, txr.proof).toEffect());
      bases.push(await prover.proveBase(await buildBaseInputs(world.fork(), { tx: txr.publicOutputs, txProof: childProofOf(txr, vkTree), constants })));
    }
    const txs = bases.length === 1 ? bases[0]! : await prover.proveMerge(buildMergeInputs(bases[0]!, bases[1]!, vkTree));
    const messages = [BigInt(b * 1000 + 1), BigInt(b * 1000 + 2), BigInt(b * 1000 + 3)];
    const [p0, p1] = buildParityBaseInputs(messages, vkTree.root);
    const parity = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(p0!), await prover.proveParityBase(p1!), vkTree));
    const previousHeader = world.lastHeader;
    const finished = await world.finishBlock({ txEffects: effects, l1ToL2Messages: messages, globals });
    const blockRoot = await prover.proveBlockRoot(buildBlockRootInputs({ txs, parity, previousHeader, witness: finished.witness, vkTree }));
    // the header again, from the children's outputs
    const header = new BlockHeader(
      lastArchive,
      new ContentCommitment(txs.publicOutputs.numTxs, txs.publicOutputs.txsEffectsHash, parity.publicOutputs.shaRoot, txs.publicOutputs.outHash),
      world.stateReference(),
      globals,
      txs.publicOutputs.accumulatedFees,
    );
    assert.equal(blockRoot.publicOutputs.headerHashes[0], header.hash());
    assert.equal(finished.header.hash(), header.hash());
    blocks.push(blockRoot);
  }
  const merged = await prover.proveBlockMerge(buildBlockMergeInputs(blocks[0]!, blocks[1]!, vkTree));
  await prover.proveRoot(buildRootInputs(blocks[0]!, blocks[1]!, 5n, vkTree));
  await prover.proveRootSingle(buildRootSingleInputs(merged, 5n, vkTree));

  // block 3 has no txs: block-root-empty, then a root over (block-merge of 1..2, block 3)
  const globals3 = new GlobalVariables(chainId, version, 3n, 3n, 1003n, 0xc0ffeen);
  const lastArchive3 = world.archiveSnapshot();
  const constants3 = { lastArchive: snapshotToCircuit(lastArchive3), globalVariables: globalVariablesToCircuit(globals3), vkTreeRoot: vkTree.root };
  const [e0, e1] = buildParityBaseInputs([], vkTree.root);
  const parity3 = await prover.proveParityRoot(buildParityRootInputs(await prover.proveParityBase(e0!), await prover.proveParityBase(e1!), vkTree));
  const stateBefore = world.stateReference();
  const previousHeader3 = world.lastHeader;
  const finished3 = await world.finishBlock({ txEffects: [], l1ToL2Messages: [], globals: globals3 });
  const empty = await prover.proveBlockRootEmpty(buildBlockRootEmptyInputs({ constants: constants3, parity: parity3, previousHeader: previousHeader3, witness: finished3.witness, vkTree }));
  const header3 = new BlockHeader(lastArchive3, new ContentCommitment(0n, 0n, computeInHash([]), 0n), world.stateReference(), globals3, 0n);
  assert.equal(world.stateReference().noteHashTree.root, stateBefore.noteHashTree.root);
  assert.equal(empty.publicOutputs.headerHashes[0], header3.hash());
  assert.equal(finished3.header.hash(), header3.hash());
  assert.equal(empty.publicOutputs.newArchive.root, world.archive.root());
  const root3 = await prover.proveRoot(buildRootInputs(merged, empty, 5n, vkTree));
  assert.deepEqual(root3.publicOutputs.headerHashes.slice(0, 4), [...world.headers.slice(1).map((h) => h.hash()), 0n]);
  assert.equal(root3.publicOutputs.endArchiveRoot, world.archive.root());
});

describe('tx', () => {
  test('valid', async () => {
    const r = await prover.prove('tx', prover.first('tx'));
    assert.equal(r.publicOutputs.feePayer, feePayerOf(secrets[0]!));
  });
  test('fee payer not controlled by the secret', async () => {
    const i = prover.first('tx');
    i.effects.feePayer = feePayerOf(999n);
    await expectFail('tx', i, "fee payer is not the sender's address");
  });
  test('first nullifier not derived from secret and nonce', async () => {
    const i = prover.first('tx');
    i.innerNullifiers[0] = firstInnerNullifierOf(i.secret, i.nonce + 1n);
    i.effects.nullifiers[0] = firstNullifierOf(i.secret, i.nonce + 1n);
    await expectFail('tx', i, "first nullifier is not derived from the sender's secret and nonce");
  });
  test('fee above 2^128', async () => {
    const i = prover.first('tx');
    i.effects.transactionFee = TWO_128;
    await expectFail('tx', i, 'transaction fee out of range');
  });
  test("a nullifier of another account (squatting): not siloed by the sender's account", async () => {
    const i = prover.first('tx');
    const victim = firstNullifierOf(secrets[1]!, 1n);
    i.effects.nullifiers[1] = victim; // emitted as is
    await expectFail('tx', i, "nullifier is not siloed by the sender's account");
    i.innerNullifiers[1] = victim; // or as the inner value: siloed by the sender, it is another nullifier
    i.effects.nullifiers[1] = siloNullifier(feePayerOf(i.secret), victim);
    const r = await prover.prove('tx', i);
    assert.notEqual(r.publicOutputs.nullifiers[1], victim);
  });
  test("an L2->L1 message not bound to the sender, its recipient or its content", async () => {
    const base = prover.first('tx');
    const m = base.l2ToL1Msgs[0]!;
    const other = structuredClone(base);
    other.effects.l2ToL1Msgs[0] = l2ToL1MessageLeaf(feePayerOf(secrets[1]!), m); // another sender's message
    await expectFail('tx', other, "L2->L1 message leaf is not the sender's message to its recipient");
    const redirected = structuredClone(base);
    redirected.l2ToL1Msgs[0] = { ...m, recipient: m.recipient + 1n };
    await expectFail('tx', redirected, "L2->L1 message leaf is not the sender's message to its recipient");
    const changed = structuredClone(base);
    changed.l2ToL1Msgs[0] = { ...m, content: m.content + 1n };
    await expectFail('tx', changed, "L2->L1 message leaf is not the sender's message to its recipient");
  });
  test('an L2->L1 message recipient that is no L1 address, or content without a recipient', async () => {
    const wide = prover.first('tx');
    wide.l2ToL1Msgs[0] = { recipient: 1n << 160n, content: 7n };
    wide.effects.l2ToL1Msgs[0] = l2ToL1MessageLeaf(wide.effects.feePayer, wide.l2ToL1Msgs[0]);
    await expectFail('tx', wide, 'L2->L1 message recipient is not an L1 address');
    const orphan = prover.first('tx');
    orphan.l2ToL1Msgs[1] = { recipient: 0n, content: 7n };
    await expectFail('tx', orphan, 'L2->L1 message has content but no recipient');
  });
});

describe('parity-base', () => {
  test('valid', async () => {
    const r = await prover.prove('parity-base', prover.first('parity-base'));
    assert.equal(r.publicOutputs.vkTreeRoot, vkTree.root);
  });
  test('messages not packed', async () => {
    const i = prover.first('parity-base');
    i.msgs[6] = 5n; // after the empty slot 3
    await expectFail('parity-base', i, 'L1->L2 messages are not packed: a message follows an empty slot');
  });
  test('message above 248 bits', async () => {
    const i = prover.first('parity-base');
    i.msgs[0] = 1n << 250n;
    await expectFail('parity-base', i, 'L1->L2 message leaf exceeds 248 bits');
  });
});

describe('parity-root', () => {
  test('valid', async () => {
    await prover.prove('parity-root', prover.first('parity-root'));
  });
  test('child VK not in the VK tree', async () => {
    const i = prover.first('parity-root');
    forgeVk(i.leftProof);
    await expectFail('parity-root', i, 'left child proof VK is not in the VK tree');
  });
  test('child is not a parity-base proof', async () => {
    const i = prover.first('parity-root');
    i.rightProof = { ...i.rightProof, vkIndex: BigInt(vkTree.indexOf('base')), vk: simulatedVk('base').fields, vkHash: vkTree.vkHash('base'), vkPath: vkTree.siblingPath('base') };
    await expectFail('parity-root', i, 'child proof is not a parity-base proof');
  });
  test('children with different VK tree roots', async () => {
    const i = prover.first('parity-root');
    i.right.vkTreeRoot += 1n;
    await expectFail('parity-root', i, 'children have different VK tree roots');
  });
});

describe('base', () => {
  test('valid', async () => {
    const r = await prover.prove('base', prover.first('base'));
    assert.equal(r.publicOutputs.numTxs, 1n);
  });
  test('inserting a nullifier that already exists', async () => {
    // block 2's first tx, replayed with block 1's first nullifier (already in the tree)
    const i = structuredClone(prover.recorded.get('base')![2]) as CircuitInputs<'base'>;
    const existing = (prover.recorded.get('base')![0] as CircuitInputs<'base'>).tx.nullifiers[0]!;
    const tree = nullifierTreeBeforeBlock2.clone();
    const low = tree.findLowLeaf(existing - 1n); // the leaf just below `existing`: its next is `existing`
    assert.equal(low.leaf.nextValue, existing);
    i.tx.nullifiers[0] = existing;
    i.nullifierWitnesses[0] = nullifierWitnessToCircuit({
      lowLeaf: low.leaf,
      lowLeafIndex: low.index,
      lowLeafSiblingPath: tree.getSiblingPath(low.index),
      newLeaf: low.leaf,
      newLeafIndex: tree.size(),
      newLeafSiblingPath: tree.getSiblingPath(tree.size()),
    });
    await expectFail('base', i, 'nullifier already exists');
  });
  test('tx proof VK not in the VK tree', async () => {
    const i = prover.first('base');
    forgeVk(i.txProof);
    await expectFail('base', i, 'tx proof VK is not in the VK tree');
  });
  test('fee payer balance insufficient', async () => {
    const i = prover.first('base');
    i.tx.transactionFee = i.feePayerLeaf.value + 1n;
    await expectFail('base', i, 'fee payer balance is insufficient');
  });
  test('tx for another chain', async () => {
    const i = prover.first('base');
    i.tx.chainId = 1n;
    await expectFail('base', i, 'tx chain id or version does not match the block');
  });
  test('note hash subtree position not empty', async () => {
    const i = prover.recorded.get('base')![1] as CircuitInputs<'base'>;
    const j = structuredClone(i);
    j.start.noteHashTree.nextAvailableLeafIndex = 0n; // pretend tx 2 appends where tx 1 did
    await expectFail('base', j, 'note hash subtree position is not empty');
  });
});

describe('merge', () => {
  test('valid', async () => {
    const r = await prover.prove('merge', prover.first('merge'));
    assert.equal(r.publicOutputs.numTxs, 2n);
  });
  test('non-contiguous children', async () => {
    const i = prover.first('merge');
    [i.left, i.right] = [i.right, i.left];
    await expectFail('merge', i, 'merge children are not contiguous: left end state != right start state');
  });
  test('non-canonical tx tree shape', async () => {
    const i = prover.first('merge');
    i.left.numTxs = 3n;
    await expectFail('merge', i, 'merge children do not form the canonical tx tree shape');
  });
  test('child VK not in the VK tree', async () => {
    const i = prover.first('merge');
    i.rightProof.vkPath[0]! += 1n;
    await expectFail('merge', i, 'right child proof VK is not in the VK tree');
  });
  test('child VK does not match its VK hash', async () => {
    const i = prover.first('merge');
    i.leftProof.vk[3]! += 1n;
    await expectFail('merge', i, 'child proof VK does not match its VK hash');
  });
  test('child is not a base or merge proof', async () => {
    const i = prover.first('merge');
    i.leftProof.vkIndex = BigInt(vkTree.indexOf('block-root'));
    await expectFail('merge', i, 'child proof is not a base or merge proof');
  });
});

describe('block-root', () => {
  test('valid', async () => {
    const r = await prover.prove('block-root', prover.first('block-root'));
    assert.equal(r.publicOutputs.numBlocks, 1n);
  });
  test('previous header is not the last leaf of the archive', async () => {
    const i = prover.first('block-root');
    i.previousHeader.totalFees += 1n;
    await expectFail('block-root', i, 'previous block header is not the last leaf of the archive');
  });
  test('misaligned L1->L2 message insertion', async () => {
    // a consistent previous header whose message tree is not aligned to a block's 16 messages
    const i = prover.first('block-root');
    const h = headerFromCircuit(i.previousHeader);
    assert.equal(h.state.l1ToL2MessageTree.nextAvailableLeafIndex, 0n);
    i.previousHeader.state.l1ToL2MessageTree.nextAvailableLeafIndex = 8n;
    // fix up the archive so the header is accepted: rebuild a one-leaf archive for it
    const { ReferenceAppendOnlyTree } = await import('@quetzal/protocol/trees/reference');
    const { blockHash } = await import('@quetzal/protocol/block/block-hash');
    const { ARCHIVE_TREE_HEIGHT } = await import('@quetzal/protocol/constants');
    const archive = new ReferenceAppendOnlyTree(ARCHIVE_TREE_HEIGHT);
    archive.appendLeaves([blockHash(headerFromCircuit(i.previousHeader))]);
    i.txs.constants.lastArchive = snapshotToCircuit(archive.snapshot());
    i.previousHeaderPath = archive.getSiblingPath(0);
    i.newArchivePath = archive.getSiblingPath(1);
    await expectFail('block-root', i, 'L1->L2 message tree next index is not aligned to a block\'s messages');
  });
  test('parity proof VK not in the VK tree', async () => {
    const i = prover.first('block-root');
    forgeVk(i.parityProof);
    await expectFail('block-root', i, 'parity proof VK is not in the VK tree');
  });
  test('txs do not start from the previous state', async () => {
    const i = prover.first('block-root');
    i.txs.start.nullifierTree.root += 1n;
    await expectFail('block-root', i, "txs do not start from the previous block's state");
  });
  test('block number does not follow', async () => {
    const i = prover.first('block-root');
    i.txs.constants.globalVariables.blockNumber = 5n;
    await expectFail('block-root', i, 'block number does not follow the previous block');
  });
});

describe('block-merge', () => {
  test('valid', async () => {
    const r = await prover.prove('block-merge', prover.first('block-merge'));
    assert.equal(r.publicOutputs.numBlocks, 2n);
  });
  test('non-contiguous blocks', async () => {
    const i = prover.first('block-merge');
    [i.left, i.right] = [i.right, i.left];
    await expectFail('block-merge', i, 'blocks are not contiguous: left new archive != right previous archive');
  });
  test('child VK not in the VK tree', async () => {
    const i = prover.first('block-merge');
    forgeVk(i.leftProof);
    await expectFail('block-merge', i, 'left child proof VK is not in the VK tree');
  });
  test('too many blocks', async () => {
    const i = prover.first('block-merge');
    i.right.numBlocks = 16n;
    await expectFail('block-merge', i, 'too many blocks in the epoch');
  });
});

describe('root', () => {
  test('valid', async () => {
    const r = await prover.prove('root', prover.first('root'));
    assert.equal(r.publicOutputs.proverId, 5n);
  });
  test('fee sum overflows', async () => {
    const i = prover.first('root');
    i.left.totalFees = TWO_128 - 1n;
    i.right.totalFees = 1n;
    await expectFail('root', i, 'epoch fee sum overflows');
  });
  test('child is not a block-level proof', async () => {
    const i = prover.first('root');
    i.rightProof.vkIndex = BigInt(vkTree.indexOf('merge'));
    await expectFail('root', i, 'child proof is not a block-root or block-merge proof');
  });
  test('child VK not in the VK tree', async () => {
    const i = prover.first('root');
    i.right.vkTreeRoot = i.left.vkTreeRoot;
    forgeVk(i.rightProof);
    await expectFail('root', i, 'right child proof VK is not in the VK tree');
  });
});

describe('root-single', () => {
  test('valid', async () => {
    const r = await prover.prove('root-single', prover.first('root-single'));
    assert.equal(r.publicOutputs.headerHashes.filter((h) => h !== 0n).length, 2);
  });
  test('fee sum above 2^128', async () => {
    const i = prover.first('root-single');
    i.blocks.totalFees = TWO_128;
    await expectFail('root-single', i, 'epoch fee sum overflows');
  });
  test('child VK not in the VK tree', async () => {
    const i = prover.first('root-single');
    forgeVk(i.blocksProof);
    await expectFail('root-single', i, 'child proof VK is not in the VK tree');
  });
  test('child is not a block-level proof', async () => {
    const i = prover.first('root-single');
    i.blocksProof.vkIndex = 0n;
    await expectFail('root-single', i, 'child proof is not a block-root or block-merge proof');
  });
});

describe('block-root-empty', () => {
  test('valid', async () => {
    const r = await prover.prove('block-root-empty', prover.first('block-root-empty'));
    assert.equal(r.publicOutputs.fees[0]!.value, 0n);
  });
  test('previous header is not the last leaf of the archive', async () => {
    const i = prover.first('block-root-empty');
    i.previousHeader.state.noteHashTree.root += 1n; // an empty block cannot invent a state
    await expectFail('block-root-empty', i, 'previous block header is not the last leaf of the archive');
  });
  test('block number does not follow', async () => {
    const i = prover.first('block-root-empty');
    i.constants.globalVariables.blockNumber = 2n;
    await expectFail('block-root-empty', i, 'block number does not follow the previous block');
  });
  test('parity proof is not a parity-root proof', async () => {
    const i = prover.first('block-root-empty');
    i.parityProof.vkIndex = BigInt(vkTree.indexOf('parity-base'));
    await expectFail('block-root-empty', i, 'child proof is not a parity-root proof');
  });
});
