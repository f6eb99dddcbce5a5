// Builds the next L2 block on a world-state fork through the protocol's one block-building path
// (src/protocol/circuits/block-building.ts), the same the prover node re-executes: a tx that no
// longer fits the state (nullifier spent meanwhile, balance too low) is left out and reported.
import { nextTurn } from '@quetzal/kernel/turns';
import { addressToField, GlobalVariables } from '@quetzal/protocol/block/header';
import { Body } from '@quetzal/protocol/block/body';
import { L2Block } from '@quetzal/protocol/block/l2-block';
import { applyTx, finishBlock, TxNotApplicableError } from '@quetzal/protocol/circuits/block-building';
import type { Tx } from '@quetzal/protocol/tx';
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

/** Applies `txs` (in order, skipping the ones that conflict) and the messages, and returns the block; the fork ends at the block's state. */
export async function buildBlock(fork: WorldStateFork, txs: readonly Tx[], l1ToL2Messages: readonly bigint[], g: BlockGlobals): Promise<BuiltBlock> {
  const globals = new GlobalVariables(g.chainId, g.version, g.blockNumber, g.slot, g.timestamp, addressToField(g.coinbase));
  const included: Tx[] = [];
  const excluded: BuiltBlock['excluded'] = [];
  for (const tx of txs) {
    try {
      await applyTx(fork, tx.publicOutputs, globals);
      included.push(tx);
    } catch (err) {
      if (!(err instanceof TxNotApplicableError)) throw err;
      excluded.push({ tx, reason: err.message });
    }
    // a turn of the event loop per tx: a full block must not be one stall of the node
    await nextTurn();
  }
  const body = new Body(included.map((tx) => tx.toEffect()));
  const { header, archive } = await finishBlock(fork, { txEffects: body.txEffects, l1ToL2Messages, globals });
  return { block: new L2Block(header, body, archive), included, excluded };
}
