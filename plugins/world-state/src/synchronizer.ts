// Follows an L2BlockSource: applies each block's tree effects, checks the roots against the
// block's header, unwinds on prune/reorg, removes old history. Every block is committed in one
// LMDB transaction, so a restart (even after kill -9) resumes from the last committed block.
import { storageFaultCode } from '@quetzal/kernel/storage';
import type { Progress } from '@quetzal/kernel/progress';
import { L1_TO_L2_MSGS_PER_BLOCK } from '@quetzal/protocol/constants';
import { blockHash } from '@quetzal/protocol/block/block-hash';
import type { L2Block } from '@quetzal/protocol/block/l2-block';
import type { L2BlockSyncSource as L2BlockSource } from '@quetzal/protocol/l2-block-source';
import { TreeId, type TreeSnapshot } from '@quetzal/protocol/trees/types';
import {
  WorldStateMismatchError,
  type
  BlockTreeEffects,
  type WorldStateFork,
  type WorldStateReader,
  type WorldStateReference,
  type WorldStateSynchronizer,
  type WorldStateSyncStatus,
} from '@quetzal/protocol/world-state';
import type { LmdbWorldState } from './world-state.js';

export interface SynchronizerConfig {
  /** Poll interval of the background loop (ms). */
  pollIntervalMs?: number;
  /** Blocks fetched per source call. */
  batchSize?: number;
  /** Keep the history of this many blocks before the latest (undefined: keep everything). */
  historyDepth?: number;
  log?: (msg: string, data?: Record<string, unknown>) => void;
  /** Called when the store's disk fails (full, read-only): the loop stops, since retrying would only fail again. */
  onStorageFault?: (err: unknown) => void;
  /** Reports a catch-up of more than `batchSize` blocks (a first start, a long stop). */
  progress?: (label: string, total: number) => Progress;
}

export class WorldStateSyncError extends Error {
  override name = 'WorldStateSyncError';
}

/** The tree effects of `block` (SPEC "Trees": per-tx order; fee writes need the running balances). */
export async function blockTreeEffects(
  block: L2Block,
  l1ToL2Messages: readonly bigint[],
  readBalance: (slot: bigint) => Promise<bigint>,
): Promise<BlockTreeEffects> {
  const n = Number(block.number);
  const noteHashes: bigint[] = [];
  const nullifiers: bigint[] = [];
  const publicDataWrites: { slot: bigint; value: bigint }[] = [];
  const balances = new Map<bigint, bigint>();
  for (const tx of block.body.txEffects) {
    noteHashes.push(...tx.noteHashes);
    for (const x of tx.nullifiers) if (x !== 0n) nullifiers.push(x);
    if (tx.transactionFee > 0n) {
      const balance = balances.get(tx.feePayer) ?? (await readBalance(tx.feePayer));
      if (balance < tx.transactionFee) {
        throw new WorldStateSyncError(`block ${n}: tx ${tx.txHash} fee ${tx.transactionFee} exceeds the fee payer's balance ${balance}`);
      }
      balances.set(tx.feePayer, balance - tx.transactionFee);
      publicDataWrites.push({ slot: tx.feePayer, value: balance - tx.transactionFee });
    }
  }
  if (l1ToL2Messages.length > L1_TO_L2_MSGS_PER_BLOCK) throw new WorldStateSyncError(`block ${n}: too many L1->L2 messages`);
  const msgs = [...l1ToL2Messages, ...Array(L1_TO_L2_MSGS_PER_BLOCK - l1ToL2Messages.length).fill(0n)];
  return { blockNumber: n, noteHashes, nullifiers, publicDataWrites, l1ToL2Messages: msgs, blockHash: blockHash(block.header) };
}

const snap = (s: { root: bigint; nextAvailableLeafIndex: bigint }): TreeSnapshot => ({
  root: s.root,
  nextAvailableLeafIndex: Number(s.nextAvailableLeafIndex),
});

/** The tree snapshots a block's header and archive commit to. */
export function expectedState(block: L2Block): WorldStateReference {
  const st = block.header.state;
  return {
    l1ToL2MessageTree: snap(st.l1ToL2MessageTree),
    noteHashTree: snap(st.noteHashTree),
    nullifierTree: snap(st.nullifierTree),
    publicDataTree: snap(st.publicDataTree),
    archive: snap(block.archive),
  };
}

export class ServerWorldStateSynchronizer implements WorldStateSynchronizer {
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** Why sync stopped, and the block that stopped it (sync resumes once that block leaves the source's chain). */
  private error: Error | undefined;
  private errorBlock: { number: number; hash: bigint } | undefined;
  private readonly cfg: Required<Omit<SynchronizerConfig, 'historyDepth' | 'onStorageFault' | 'progress'>> & Pick<SynchronizerConfig, 'historyDepth' | 'onStorageFault' | 'progress'>;

  constructor(
    readonly worldState: LmdbWorldState,
    private readonly source: L2BlockSource,
    config: SynchronizerConfig = {},
  ) {
    this.cfg = {
      pollIntervalMs: config.pollIntervalMs ?? 1000,
      batchSize: config.batchSize ?? 20,
      historyDepth: config.historyDepth,
      log: config.log ?? (() => {}),
      onStorageFault: config.onStorageFault,
      progress: config.progress,
    };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let logged: unknown;
    const loop = async () => {
      if (!this.running) return;
      try {
        await this.serialized(() => this.work());
      } catch (e) {
        if (storageFaultCode(e)) {
          this.running = false;
          this.cfg.onStorageFault?.(e);
        }
        // said once per stop, not every poll while the bad block is on the chain
        if (e !== this.error || e !== logged) this.cfg.log('world state sync stopped', { error: (e as Error).message });
        logged = e;
      }
      if (this.running) this.timer = setTimeout(loop, this.cfg.pollIntervalMs);
    };
    await loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.queue.catch(() => {});
  }

  async status(): Promise<WorldStateSyncStatus> {
    const s = await this.worldState.getStatus();
    return {
      syncedBlockNumber: s.latestBlockNumber,
      syncedBlockHash: s.latestBlockHash,
      oldestHistoricBlockNumber: s.oldestHistoricBlockNumber,
      ...(this.error ? { error: this.error.message } : {}),
    };
  }

  async syncImmediate(targetBlockNumber?: number): Promise<number> {
    const failed = await this.serialized(() => this.work()).then(
      () => undefined,
      (e: unknown) => e,
    );
    const synced = (await this.worldState.getStatus()).latestBlockNumber;
    // A bad block after the target does not concern a caller that needs the state up to the target
    // (a prover re-executing that very block to judge it); without a target, the caller wants the tip.
    if (failed !== undefined && (targetBlockNumber === undefined || synced < targetBlockNumber)) throw failed;
    if (targetBlockNumber !== undefined && synced < targetBlockNumber) {
      throw new WorldStateSyncError(`world state is at block ${synced}; the source has not reached block ${targetBlockNumber}`);
    }
    return synced;
  }

  getCommitted(): WorldStateReader {
    return this.worldState.getCommitted();
  }

  getSnapshot(blockNumber: number): WorldStateReader {
    return this.worldState.getSnapshot(blockNumber);
  }

  fork(blockNumber?: number): Promise<WorldStateFork> {
    return this.worldState.fork(blockNumber);
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Number of the last block both we and the source agree on (by block hash). */
  private async commonAncestor(latest: number, sourceLatest: number): Promise<number> {
    let n = Math.min(latest, sourceLatest);
    const oldest = (await this.worldState.getStatus()).oldestHistoricBlockNumber;
    while (n > 0) {
      const ours = await this.worldState.getSnapshot(n).getLeaf(TreeId.ARCHIVE, n);
      const theirs = await this.source.getBlock(n);
      if (theirs && ours === blockHash(theirs.header)) return n;
      if (n <= oldest) throw new WorldStateSyncError(`reorg deeper than the retained history (block ${n})`);
      n--;
    }
    return 0;
  }

  private async work(): Promise<void> {
    if (this.error) {
      // a block that does not match its header stops sync until it leaves the chain (a prune, a reorg)
      const at = this.errorBlock && (await this.source.getBlock(this.errorBlock.number));
      if (!this.errorBlock || (at && blockHash(at.header) === this.errorBlock.hash)) throw this.error;
      this.cfg.log('the block that stopped sync left the chain; resuming', { block: this.errorBlock.number });
      this.error = undefined;
      this.errorBlock = undefined;
    }
    const sourceLatest = await this.source.getBlockNumber();
    let latest = (await this.worldState.getStatus()).latestBlockNumber;
    const ancestor = latest > 0 ? await this.commonAncestor(latest, sourceLatest) : 0;
    if (ancestor < latest) {
      this.cfg.log('unwinding world state', { from: latest, to: ancestor });
      await this.worldState.unwindTo(ancestor);
      latest = ancestor;
    }
    const progress = sourceLatest - latest > this.cfg.batchSize ? this.cfg.progress?.(`world state syncing ${sourceLatest - latest} blocks`, sourceLatest - latest) : undefined;
    while (latest < sourceLatest) {
      const blocks = await this.source.getBlocks(latest + 1, Math.min(this.cfg.batchSize, sourceLatest - latest));
      if (blocks.length === 0) break;
      for (const block of blocks) {
        const n = Number(block.number);
        if (n !== latest + 1) throw new WorldStateSyncError(`source returned block ${n}, expected ${latest + 1}`);
        try {
          await this.applyBlock(block);
        } catch (e) {
          // A block that does not match our state stops sync while it is on the chain; source errors are retried.
          if (e instanceof WorldStateMismatchError || e instanceof WorldStateSyncError) {
            this.error = e;
            this.errorBlock = { number: n, hash: blockHash(block.header) };
          }
          throw e;
        }
        latest = n;
        progress?.add(1);
      }
    }
    progress?.done();
    if (this.cfg.historyDepth !== undefined && latest - this.cfg.historyDepth > 0) {
      await this.worldState.removeHistoryBefore(latest - this.cfg.historyDepth);
    }
  }

  private async applyBlock(block: L2Block): Promise<void> {
    const n = Number(block.number);
    const committed = this.worldState.getCommitted();
    const msgs = await this.source.getL1ToL2Messages(n);
    const effects = await blockTreeEffects(block, msgs, (slot) => committed.readPublicData(slot));
    const expected = expectedState(block);
    const t0 = performance.now();
    await this.worldState.commitBlock(effects, expected);
    this.cfg.log('world state synced block', { block: n, ms: Math.round(performance.now() - t0) });
  }
}
