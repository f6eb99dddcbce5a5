// Re-executes a tx against a world-state fork: applies its effects in protocol order (SPEC.md
// "Trees" precisions) and returns the inputs of its base rollup circuit (the tree witnesses).
import { MAX_NOTE_HASHES_PER_TX, NOTE_HASH_SUBTREE_HEIGHT, NULLIFIER_TREE_HEIGHT, PUBLIC_DATA_TREE_HEIGHT } from '@quetzal/protocol/constants';
import type { VerificationKeyData } from '@quetzal/protocol/circuit-prover';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import { emptyNullifierWitness, nullifierWitnessToCircuit, publicDataLeafToCircuit, snapshotToCircuit } from '@quetzal/protocol/circuits/convert';
import type { BaseInputs, BlockConstants, PartialStateReference } from '@quetzal/protocol/circuits/structs';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import type { Tx } from '@quetzal/protocol/tx';
import { padTo } from '@quetzal/protocol/hash/sha256';
import { TreeId } from '@quetzal/protocol/trees/types';
import type { WorldStateFork } from '@quetzal/protocol/world-state';

/** A tx the protocol refuses in its block (the block on L1 is then unprovable). */
export class TxProcessingError extends Error {
  override name = 'TxProcessingError';
}

export interface TxProcessorKeys {
  vkTree: VkTree;
  /** The `tx` circuit's VK: every client proof is verified against it by the base circuit. */
  txVerificationKey: VerificationKeyData;
}

export class TxProcessor {
  constructor(
    private readonly fork: WorldStateFork,
    private readonly keys: TxProcessorKeys,
  ) {}

  /**
   * Applies `tx` to the fork (note hashes, nullifiers, fee) and returns its base rollup inputs.
   * Throws TxProcessingError, before writing anything, when the tx does not fit the block.
   */
  async process(tx: Tx, constants: BlockConstants): Promise<BaseInputs> {
    const o = tx.publicOutputs;
    const label = `tx 0x${tx.hash().toString(16)}`;
    const g = constants.globalVariables;
    if (o.chainId !== g.chainId || o.version !== g.version) {
      throw new TxProcessingError(`${label} is for chain ${o.chainId} version ${o.version}, the block is chain ${g.chainId} version ${g.version}`);
    }
    const txProof = childProofOf({ circuit: 'tx', proof: [...tx.proof], vk: this.keys.txVerificationKey }, this.keys.vkTree);

    // checks that need no write come first, so a refused tx leaves the fork untouched
    const fee = o.transactionFee === 0n ? undefined : await this.fork.readPublicDataWithWitness(o.feePayer);
    if (fee && fee.witness.kind !== 'member') throw new TxProcessingError(`${label}: fee payer ${o.feePayer} has no balance`);
    if (fee && fee.value < o.transactionFee) throw new TxProcessingError(`${label}: fee payer balance ${fee.value} is below the fee ${o.transactionFee}`);

    const start = await this.partialState();
    const noteHashSubtreePath = await this.fork.getSubtreeSiblingPath(TreeId.NOTE_HASH, NOTE_HASH_SUBTREE_HEIGHT);

    const nonZero = o.nullifiers.filter((n) => n !== 0n);
    let inserted;
    try {
      inserted = await this.fork.insertNullifiers(nonZero);
    } catch (err) {
      throw new TxProcessingError(`${label}: ${(err as Error).message}`);
    }
    await this.fork.appendLeaves(TreeId.NOTE_HASH, padTo(o.noteHashes, MAX_NOTE_HASHES_PER_TX));
    let next = 0;
    const nullifierWitnesses = o.nullifiers.map((n) => (n === 0n ? emptyNullifierWitness(NULLIFIER_TREE_HEIGHT) : nullifierWitnessToCircuit(inserted[next++]!)));

    let feePayerLeaf = { slot: 0n, value: 0n, nextIndex: 0n, nextSlot: 0n };
    let feePayerLeafIndex = 0n;
    let feePayerPath = Array<bigint>(PUBLIC_DATA_TREE_HEIGHT).fill(0n);
    if (fee) {
      feePayerLeaf = publicDataLeafToCircuit(fee.witness.leaf);
      feePayerLeafIndex = BigInt(fee.witness.leafIndex);
      feePayerPath = [...fee.witness.siblingPath];
      await this.fork.writePublicData(o.feePayer, fee.value - o.transactionFee);
    }

    return { tx: o, txProof, constants, start, noteHashSubtreePath, nullifierWitnesses, feePayerLeaf, feePayerLeafIndex, feePayerPath };
  }

  private async partialState(): Promise<PartialStateReference> {
    const s = await this.fork.getStateReference();
    return { noteHashTree: snapshotToCircuit(s.noteHashTree), nullifierTree: snapshotToCircuit(s.nullifierTree), publicDataTree: snapshotToCircuit(s.publicDataTree) };
  }
}
