// Builds the next L2 block on a world-state fork (SPEC.md "Trees" precisions, "Block"): per tx its
// note hashes (all MAX_NOTE_HASHES_PER_TX), its non-zero nullifiers, the fee debit of its fee payer;
// then the block's L1->L2 messages and the block hash in the archive. A tx that no longer fits the
// state (nullifier spent meanwhile, balance too low) is left out and reported.
import { AppendOnlyTreeSnapshot, BlockHeader, ContentCommitment, GlobalVariables, StateReference, addressToField } from '@quetzal/protocol/block/header';
import { Body, computeInHash } from '@quetzal/protocol/block/body';
import { blockHash } from '@quetzal/protocol/block/block-hash';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import { L1_TO_L2_MSGS_PER_BLOCK } from '@quetzal/protocol/constants';
import { padTo } from '@quetzal/protocol/hash/sha256';
import type { Tx } from '@quetzal/protocol/tx';
import { TreeId, type TreeSnapshot } from '@quetzal/protocol/trees/types';
import type { WorldStateFork } from '@quetzal/protocol/world-state';

export interface BlockGlobals {
  chainId: bigint;
  version: bigint;
  blockNumber: bigint;
  slot: bigint;
  timestamp: bigint;
  coinbase: `0x${string}`;
}

export interface BuiltBlock {
  block: L2Block;
  included: Tx[];
  /** Txs left out, with the reason. */
  excluded: { tx: Tx; reason: string }[];
}

const snap = (s: TreeSnapshot) => new AppendOnlyTreeSnapshot(s.root, BigInt(s.nextAvailableLeafIndex));

/**
 * Why `tx` cannot be applied to `fork` now (undefined when it can), and the tx field at fault; does
 * not modify the fork. Every tx needs a funded fee payer, zero-fee ones included: an account with
 * nothing at stake cannot fill blocks for free.
 */
export async function txConflict(
  fork: Pick<WorldStateFork, 'findLeafIndex' | 'readPublicData'>,
  tx: Tx,
): Promise<{ field: 'nullifiers' | 'feePayer' | 'transactionFee'; reason: string } | undefined> {
  const nonZero = tx.publicOutputs.nullifiers.filter((n) => n !== 0n);
  if (new Set(nonZero).size !== nonZero.length) return { field: 'nullifiers', reason: 'the tx repeats a nullifier' };
  for (const n of tx.publicOutputs.nullifiers) {
    if (n !== 0n && (await fork.findLeafIndex(TreeId.NULLIFIER, n)) !== undefined) return { field: 'nullifiers', reason: `nullifier ${hex(n)} already exists (double spend)` };
  }
  const { feePayer, transactionFee: fee } = tx.publicOutputs;
  const balance = await fork.readPublicData(feePayer);
  if (balance === 0n) return { field: 'feePayer', reason: `fee payer ${hex(feePayer)} has no balance (every tx, zero-fee included, needs a funded fee payer)` };
  if (balance < fee) return { field: 'transactionFee', reason: `fee payer ${hex(feePayer)} has balance ${balance}, below the fee ${fee}` };
  return undefined;
}

/** Applies `txs` (in order, skipping the ones that conflict) and the messages, and returns the block; the fork ends at the block's state. */
export async function buildBlock(fork: WorldStateFork, txs: readonly Tx[], l1ToL2Messages: readonly bigint[], g: BlockGlobals): Promise<BuiltBlock> {
  if (l1ToL2Messages.length > L1_TO_L2_MSGS_PER_BLOCK) throw new Error(`block ${g.blockNumber}: ${l1ToL2Messages.length} L1->L2 messages, at most ${L1_TO_L2_MSGS_PER_BLOCK}`);
  const lastArchive = snap(await fork.getTreeInfo(TreeId.ARCHIVE));
  if (lastArchive.nextAvailableLeafIndex !== g.blockNumber) {
    throw new Error(`world state fork holds ${lastArchive.nextAvailableLeafIndex} archive leaves, block ${g.blockNumber} needs ${g.blockNumber}`);
  }
  const included: Tx[] = [];
  const excluded: BuiltBlock['excluded'] = [];
  for (const tx of txs) {
    const conflict = await txConflict(fork, tx);
    if (conflict) {
      excluded.push({ tx, reason: conflict.reason });
      continue;
    }
    const o = tx.publicOutputs;
    await fork.appendLeaves(TreeId.NOTE_HASH, o.noteHashes);
    await fork.insertNullifiersNoWitness(o.nullifiers.filter((n) => n !== 0n));
    if (o.transactionFee > 0n) await fork.writePublicDataNoWitness([{ slot: o.feePayer, value: (await fork.readPublicData(o.feePayer)) - o.transactionFee }]);
    included.push(tx);
  }
  const messages = padTo(l1ToL2Messages, L1_TO_L2_MSGS_PER_BLOCK);
  await fork.appendLeaves(TreeId.L1_TO_L2_MESSAGES, messages);

  const body = new Body(included.map((tx) => tx.toEffect()));
  const state = await fork.getStateReference();
  const header = new BlockHeader(
    lastArchive,
    new ContentCommitment(BigInt(body.numTxs), body.txsEffectsHash(), computeInHash(messages), body.outHash()),
    new StateReference(snap(state.l1ToL2MessageTree), snap(state.noteHashTree), snap(state.nullifierTree), snap(state.publicDataTree)),
    new GlobalVariables(g.chainId, g.version, g.blockNumber, g.slot, g.timestamp, addressToField(g.coinbase)),
    body.txEffects.reduce((sum, e) => sum + e.transactionFee, 0n),
  );
  await fork.appendLeaves(TreeId.ARCHIVE, [blockHash(header)]);
  const archive = snap(await fork.getTreeInfo(TreeId.ARCHIVE));
  return { block: new L2Block(header, body, archive), included, excluded };
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
