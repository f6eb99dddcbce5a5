// Every block of the pending chain, validated once, as soon as the archiver has it: its full txs
// fetched from the tx provider, their client proofs verified, the block re-executed against a
// world-state fork at the block before, and the rebuilt header, state and archive compared with
// the block on L1. What the re-execution produces (each tx's base inputs, the block-root witness)
// is kept until the block is proven: bids read the verdicts, epoch proving jobs and prove-ahead
// feed the proof tree from it, and nothing is re-executed twice. Blocks that leave the chain
// (prune, L1 reorg) are dropped and reported.
import { nextTurn } from '@quetzal/kernel/turns';
import type { Logger } from '@quetzal/kernel/logging';
import { blockHash } from '@quetzal/protocol/block/block-hash';
import { AppendOnlyTreeSnapshot, BlockHeader, StateReference } from '@quetzal/protocol/block/header';
import type { L2Block } from '@quetzal/protocol/block/l2-block';
import { blockConstants, buildBaseInputs, finishBlock, TxNotApplicableError } from '@quetzal/protocol/circuits/block-building';
import { childProofOf } from '@quetzal/protocol/circuits/child-proof';
import type { BaseInputs } from '@quetzal/protocol/circuits/structs';
import { ARCHIVE_TREE_HEIGHT } from '@quetzal/protocol/constants';
import type { L2BlockSyncSource } from '@quetzal/protocol/l2-block-source';
import { zeroHash } from '@quetzal/protocol/trees/hash';
import { TreeId } from '@quetzal/protocol/trees/types';
import type { Tx } from '@quetzal/protocol/tx';
import type { TxProofVerifier } from '@quetzal/protocol/tx-proof-verifier';
import type { TxProvider } from '@quetzal/protocol/tx-provider';
import type { WorldStateFork, WorldStateSynchronizer } from '@quetzal/protocol/world-state';
import { assertSameHeader, BlockMismatchError, BlockRejectedError, hex, type BlockRejection } from './block-check.js';
import { deferred, type Deferred } from './deferred.js';
import type { EpochProvingKeys } from './epoch-proving-job.js';
import type { BlockRootWitness, BlockStart } from './orchestrator.js';

/**
 * One block's re-execution, as it happens: the promises settle in order (start, each tx's base
 * inputs, the witness); the witness resolves once every check passed, or every promise still open
 * rejects with the reason (a BlockRejectedError when the block itself is at fault).
 */
export interface BlockExecution {
  readonly block: L2Block;
  readonly blockNumber: number;
  readonly epoch: number;
  /** The header hash (with the archive root: what identifies the block on L1). */
  readonly hash: bigint;
  readonly start: Promise<BlockStart>;
  readonly bases: readonly Promise<BaseInputs>[];
  readonly witness: Promise<BlockRootWitness>;
}

/** Where a block's sub-tree goes: an epoch orchestrator's block slot or a block proof tree. */
export interface BlockSink {
  start(block: BlockStart): void;
  addTx(inputs: BaseInputs): void;
  setWitness(witness: BlockRootWitness): void;
}

/** Feeds a block's re-execution into a sink as each part appears; rejects like the execution does. */
export async function feed(execution: BlockExecution, sink: BlockSink, signal?: AbortSignal): Promise<void> {
  sink.start(await execution.start);
  for (const base of execution.bases) {
    signal?.throwIfAborted();
    sink.addTx(await base);
  }
  sink.setWitness(await execution.witness);
}

export interface BlockProcessorOptions {
  blockSource: L2BlockSyncSource;
  worldState: WorldStateSynchronizer;
  txProvider: TxProvider;
  txProofs: TxProofVerifier;
  keys: EpochProvingKeys;
  /** Slots per epoch (a block's epoch is its slot's). */
  epochDuration: number;
  logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** A block passed every check. */
  onValidated?: (execution: BlockExecution) => void;
  /** A block left the chain (or was proven): whatever was started for it can stop. */
  onDropped?: (execution: BlockExecution, reason: 'reorged' | 'proven') => void;
}

interface Entry {
  execution: BlockExecution;
  /** undefined while running; then the verdict. */
  outcome?: { ok: true } | { ok: false; error: Error };
}

export type EpochVerdict = { ok: true } | { ok: false; blockNumber: number; reason: BlockRejection; message: string };

export class BlockProcessor {
  private readonly entries = new Map<number, Entry>();
  private syncing: Promise<void> = Promise.resolve();
  /** The last block execution started (they run one at a time). */
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly o: BlockProcessorOptions) {}

  /**
   * Brings the processed blocks in line with the source: drops blocks that left the chain or are
   * proven, then starts validating every block not processed yet (in order, one at a time; the
   * verdicts follow). Calls run one after another.
   */
  sync(): Promise<void> {
    const pass = this.syncing.catch(() => undefined).then(() => this.syncOnce());
    this.syncing = pass;
    return pass;
  }

  /**
   * The verdict on blocks from..to, once every one of them was processed and the last one is the
   * block with `lastArchive` on L1 (undefined before): the first block that cannot be proven, and why.
   */
  verdict(from: number, to: number, lastArchive: bigint): EpochVerdict | undefined {
    if (this.entries.get(to)?.execution.block.archive.root !== lastArchive) return undefined;
    for (let n = from; n <= to; n++) {
      const outcome = this.entries.get(n)?.outcome;
      if (!outcome) return undefined;
      if (!outcome.ok) {
        const e = outcome.error;
        if (e instanceof BlockRejectedError) return { ok: false, blockNumber: n, reason: e.reason, message: e.message };
        return undefined;
      }
    }
    return { ok: true };
  }

  /**
   * The executions of blocks from..to (in order), processing them now if needed; a block rejected
   * because a tx was missing is tried again (the tx may have reached a provider since).
   */
  async executions(from: number, to: number): Promise<BlockExecution[]> {
    for (let n = from; n <= to; n++) {
      const error = this.entries.get(n)?.outcome;
      if (error && !error.ok && (!(error.error instanceof BlockRejectedError) || error.error.reason === 'tx-unavailable')) this.drop(n, 'reorged', 'tried again');
    }
    if ([...range(from, to)].some((n) => !this.entries.has(n))) await this.sync();
    return [...range(from, to)].map((n) => {
      const entry = this.entries.get(n);
      if (!entry) throw new Error(`block ${n} is not on the pending chain the archiver serves`);
      return entry.execution;
    });
  }

  /**
   * Whether the txs block `n` was rejected for lacking have reached a provider since (a tx may
   * arrive after its block): then the block is processed again, and its verdict follows.
   */
  async retryIfTxsArrived(n: number): Promise<boolean> {
    const entry = this.entries.get(n);
    const outcome = entry?.outcome;
    if (!entry || !outcome || outcome.ok || !(outcome.error instanceof BlockRejectedError) || outcome.error.reason !== 'tx-unavailable') return false;
    const found = await this.o.txProvider.getTxsByHash(entry.execution.block.body.txEffects.map((e) => e.txHash));
    if (found.some((tx) => !tx)) return false;
    this.drop(n, 'reorged', 'its missing txs arrived');
    await this.sync();
    return true;
  }

  private async syncOnce(): Promise<void> {
    const source = this.o.blockSource;
    const [tip, proven] = await Promise.all([source.getBlockNumber(), source.getProvenBlockNumber()]);
    for (const n of [...this.entries.keys()].sort((a, b) => b - a)) {
      if (n <= proven) this.drop(n, 'proven', 'proven on L1');
    }
    // walk down from the newest processed block to the first one the source still has unchanged
    for (const n of [...this.entries.keys()].sort((a, b) => b - a)) {
      const block = n <= tip ? await source.getBlock(n) : undefined;
      const ours = this.entries.get(n)!.execution;
      if (block && blockHash(block.header) === ours.hash && block.archive.root === ours.block.archive.root) break;
      this.drop(n, 'reorged', 'left the chain');
    }
    for (let n = proven + 1; n <= tip; n++) {
      if (this.entries.has(n)) continue;
      const [block] = await source.getBlocks(n, 1);
      if (!block || Number(block.number) !== n) return; // the source moved under us: next pass
      this.process(block);
    }
  }

  private drop(n: number, reason: 'reorged' | 'proven', why: string): void {
    const entry = this.entries.get(n);
    if (!entry) return;
    this.entries.delete(n);
    this.o.logger?.debug({ block: n, why }, 'block dropped');
    this.o.onDropped?.(entry.execution, reason);
  }

  /** Starts the block's execution once the blocks before it are done (one at a time, in order). */
  private process(block: L2Block): void {
    const n = Number(block.number);
    const numTxs = block.body.numTxs;
    const start = deferred<BlockStart>();
    const bases = Array.from({ length: numTxs }, () => deferred<BaseInputs>());
    const witness = deferred<BlockRootWitness>();
    const execution: BlockExecution = {
      block,
      blockNumber: n,
      epoch: Number(block.header.globalVariables.slotNumber / BigInt(this.o.epochDuration)),
      hash: blockHash(block.header),
      start: start.promise,
      bases: bases.map((d) => d.promise),
      witness: witness.promise,
    };
    for (const p of [start.promise, ...execution.bases, witness.promise]) p.catch(() => undefined);
    const current = () => this.entries.get(n) === entry;
    const entry: Entry = { execution };
    this.entries.set(n, entry);
    this.tail = this.tail.then(() =>
      this.execute(block, { start, bases, witness }).then(
        () => {
          entry.outcome = { ok: true };
          this.o.logger?.debug({ block: n, txs: numTxs }, 'block validated');
          if (current()) this.o.onValidated?.(execution);
        },
        (err: Error) => {
          entry.outcome = { ok: false, error: err };
          for (const d of [start, ...bases, witness]) d.reject(err);
          if (err instanceof BlockRejectedError) this.o.logger?.warn({ block: n, reason: err.reason, err: err.message }, 'block cannot be proven');
          else if (current()) {
            // not the block's fault (world state behind, a source down): processed again next pass
            this.o.logger?.warn({ block: n, err: err.message }, 'could not process the block yet; retrying');
            this.entries.delete(n);
          }
        },
      ),
    );
  }

  private async execute(block: L2Block, d: { start: Deferred<BlockStart>; bases: Deferred<BaseInputs>[]; witness: Deferred<BlockRootWitness> }): Promise<void> {
    const n = Number(block.number);
    const previous = this.entries.get(n - 1)?.outcome;
    if (previous && !previous.ok && previous.error instanceof BlockMismatchError) {
      throw new BlockRejectedError(n, 'block-mismatch', `block ${n}: builds on block ${n - 1}, which does not match its re-execution`);
    }
    try {
      block.checkBody();
    } catch (err) {
      throw new BlockRejectedError(n, 'block-invalid', `block ${n}: ${(err as Error).message}`, { cause: err });
    }
    const txs = await this.loadTxs(block);
    const { vkTree, txVerificationKey } = this.o.keys;
    await this.o.worldState.syncImmediate(n - 1);
    const fork = await this.o.worldState.fork(n - 1);
    try {
      const previousHeader = await this.headerBefore(fork, block);
      const globals = block.header.globalVariables;
      const messages = await this.o.blockSource.getL1ToL2Messages(n);
      const lastArchive = AppendOnlyTreeSnapshot.of((await fork.getStateReference()).archive);
      const constants = blockConstants(lastArchive, globals, vkTree.root);
      d.start.resolve({ blockNumber: n, numTxs: txs.length, constants, l1ToL2Messages: messages });
      for (const [i, tx] of txs.entries()) {
        const txProof = childProofOf({ circuit: 'tx', proof: [...tx.proof], vk: txVerificationKey }, vkTree);
        try {
          d.bases[i]!.resolve(await buildBaseInputs(fork, { tx: tx.publicOutputs, txProof, constants }));
        } catch (err) {
          const reason = err instanceof TxNotApplicableError ? 'tx-not-applicable' : 'block-mismatch';
          throw new BlockRejectedError(n, reason, `block ${n}: ${(err as Error).message}`, { cause: err });
        }
        // the fork's reads and writes mostly resolve without a macrotask: without a turn of the event
        // loop per tx, a block of many txs would be one stall of the node (RPC, L1 sync, timers)
        await nextTurn();
      }
      const finished = await finishBlock(fork, { txEffects: block.body.txEffects, l1ToL2Messages: messages, globals }).catch((err: Error) => {
        throw new BlockRejectedError(n, 'block-mismatch', `block ${n}: ${err.message}`, { cause: err });
      });
      assertSameHeader(n, finished.header, block.header);
      if (finished.archive.root !== block.archive.root) throw new BlockMismatchError(n, 'archive.root', finished.archive.root, block.archive.root);
      if (finished.archive.nextAvailableLeafIndex !== block.archive.nextAvailableLeafIndex) {
        throw new BlockMismatchError(n, 'archive.nextAvailableLeafIndex', finished.archive.nextAvailableLeafIndex, block.archive.nextAvailableLeafIndex);
      }
      d.witness.resolve({ previousHeader, ...finished.witness, header: block.header });
    } finally {
      await fork.close();
    }
  }

  /** The block's full txs, each matching the effect the block carries and with a verifying client proof. */
  private async loadTxs(block: L2Block): Promise<Tx[]> {
    const n = Number(block.number);
    const effects = block.body.txEffects;
    const found = await this.o.txProvider.getTxsByHash(effects.map((e) => e.txHash));
    const missing = effects.flatMap((e, i) => (found[i] ? [] : [hex(e.txHash)]));
    if (missing.length) {
      const sources = this.o.txProvider.describe?.() ?? 'the tx provider';
      throw new BlockRejectedError(n, 'tx-unavailable', `block ${n}: ${missing.length} of its ${effects.length} txs were not found: ${missing.join(', ')}; sources tried: ${sources}`);
    }
    const txs = effects.map((effect, i) => {
      const tx = found[i]!;
      if (Buffer.compare(tx.toEffect().encode(), effect.encode()) !== 0) {
        throw new BlockRejectedError(n, 'tx-mismatch', `block ${n}: tx ${hex(effect.txHash)} from the tx provider does not match the block's tx effect`);
      }
      return tx;
    });
    const verdicts = await Promise.all(txs.map((tx) => this.o.txProofs.verifyTxProof(tx)));
    verdicts.forEach((v, i) => {
      if (!v.valid) {
        throw new BlockRejectedError(n, 'tx-proof-invalid', `block ${n}: tx ${hex(effects[i]!.txHash)}: client proof does not verify (${this.o.txProofs.kind} proofs): ${v.reason}`);
      }
    });
    return txs;
  }

  /** The header of the block before (rebuilt for genesis), checked against the fork's archive. */
  private async headerBefore(fork: WorldStateFork, block: L2Block): Promise<BlockHeader> {
    const n = Number(block.number) - 1;
    let header: BlockHeader;
    if (n === 0) {
      const g = block.header.globalVariables;
      header = BlockHeader.genesis(StateReference.of(await fork.getStateReference()), zeroHash(ARCHIVE_TREE_HEIGHT), g.chainId, g.version);
    } else {
      const previous = await this.o.blockSource.getBlock(n);
      if (!previous) throw new Error(`the archiver has no block ${n} (the block before block ${n + 1})`);
      header = previous.header;
    }
    const leaf = await fork.getLeaf(TreeId.ARCHIVE, n);
    if (leaf !== blockHash(header)) {
      const field = n === 0 ? 'genesis block hash (chain id / version of the genesis header)' : 'block hash';
      throw new BlockMismatchError(n, field, blockHash(header), leaf ?? 0n);
    }
    return header;
  }
}

function* range(from: number, to: number): Generator<number> {
  for (let n = from; n <= to; n++) yield n;
}
