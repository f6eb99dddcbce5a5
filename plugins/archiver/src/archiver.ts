// Follows the Rollup and the Inbox on L1 and serves what it learnt as an L2BlockSource.
//
// Each poll: check that the last synced L1 block is still canonical (viem's log polling does not
// report reorged logs, so we track L1 block hashes ourselves); if not, find the newest checkpoint
// that still is and rewind the store to it. Then fetch logs in batches of `batchSize` L1 blocks up to
// the head, decode proposed blocks from their `propose` calldata, and commit each batch atomically.
import { storageFaultCode } from '@quetzal/kernel/storage';
import { decodeEventLog, type Hex, type Log, type PublicClient } from 'viem';
import { decodeProposeCalldata, inboxAbi, rollupAbi, type L1Deployment } from '@quetzal/l1';
import type { L2Block } from '@quetzal/protocol/block/l2-block';
import {
  epochSlotRange, timestampOfSlot, type EpochClaimRecord, type L1RollupConstants, type L2BlockSource, type L2Tips,
} from '@quetzal/protocol/l2-block-source';
import type { Logger } from '@quetzal/kernel/logging';
import { createProgress } from '@quetzal/kernel/progress';
import type { ArchiverEvent, ArchiverStore, SyncPoint } from './store.js';

export interface ArchiverConfig {
  /** L1 blocks per log query. */
  batchSize: number;
  pollingIntervalMs: number;
  /** Called when the store's disk fails (full, read-only): the loop stops, since retrying would only fail again. */
  onStorageFault?: (err: unknown) => void;
}

export interface ArchiverMetrics {
  onSynced(state: { l1Block: number; pending: number; proven: number }): void;
}

const EVENTS_ABI = [...rollupAbi, ...inboxAbi];

export class Archiver implements L2BlockSource {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopping = false;
  private syncing: Promise<void> | undefined;
  private readonly constants: L1RollupConstants;
  /** Set when the first full catch-up to the L1 head finished. */
  caughtUp = false;

  constructor(
    private readonly client: PublicClient,
    private readonly deployment: L1Deployment,
    private readonly store: ArchiverStore,
    private readonly config: ArchiverConfig,
    private readonly log: Logger,
    private readonly metrics?: ArchiverMetrics,
  ) {
    const p = deployment.params;
    this.constants = {
      l1StartBlock: deployment.deployBlock,
      l1GenesisTime: deployment.genesisTime,
      slotDuration: p.slotDuration,
      epochDuration: p.epochDuration,
      claimWindow: p.claimWindow,
      proofSubmissionWindow: p.proofSubmissionWindow,
      chainId: deployment.chainId,
      version: p.version,
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      if (!this.running) return;
      try {
        await this.sync();
      } catch (e) {
        if (storageFaultCode(e)) {
          // retrying cannot help when the store cannot write: the process stops (onStorageFault)
          this.running = false;
          this.config.onStorageFault?.(e);
          return;
        }
        this.log.warn({ err: (e as Error).message }, 'archiver sync failed; retrying');
      }
      if (this.running) this.timer = setTimeout(loop, this.config.pollingIntervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.syncing?.catch(() => {});
  }

  /** Syncs to the current L1 head (serialized with the background loop). */
  sync(): Promise<void> {
    this.syncing ??= this.doSync().finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    await this.handleReorg();
    const head = Number(await this.client.getBlockNumber());
    let from = (this.store.getSynced()?.number ?? Number(this.deployment.deployBlock) - 1) + 1;
    // A catch-up of more than a couple of batches (a first start, a long stop) can take minutes.
    const behind = head - from + 1;
    const progress = behind > 2 * this.config.batchSize ? createProgress({ label: `archiver catching up ${behind} L1 blocks`, total: behind, logger: this.log }) : undefined;
    while (from <= head) {
      if (this.stopping) return; // stop() waits for the batch in flight only
      const to = Math.min(from + this.config.batchSize - 1, head);
      await this.syncRange(from, to);
      progress?.add(to - from + 1);
      from = to + 1;
    }
    progress?.done();
    this.caughtUp = true;
  }

  /** Rewinds to the newest checkpoint still on the canonical L1 chain when the last synced block is not. */
  private async handleReorg(): Promise<void> {
    const synced = this.store.getSynced();
    if (!synced || (await this.canonicalHash(synced.number)) === synced.hash) return;
    let ancestor: SyncPoint | undefined;
    for (const cp of this.store.checkpoints()) {
      if (cp.number >= synced.number) continue;
      const block = await this.client.getBlock({ blockNumber: BigInt(cp.number) }).catch(() => undefined);
      if (block?.hash === cp.hash) {
        ancestor = { number: cp.number, hash: block.hash, timestamp: Number(block.timestamp) };
        break;
      }
    }
    if (!ancestor) {
      const n = Number(this.deployment.deployBlock) - 1;
      const block = await this.client.getBlock({ blockNumber: BigInt(n) });
      ancestor = { number: n, hash: block.hash, timestamp: Number(block.timestamp) };
    }
    this.log.warn({ lastSynced: synced.number, rewindTo: ancestor.number }, 'L1 reorg: rewinding the archiver');
    this.store.rewindTo(ancestor);
    this.reportMetrics();
  }

  private async canonicalHash(n: number): Promise<string | undefined> {
    const block = await this.client.getBlock({ blockNumber: BigInt(n) }).catch(() => undefined);
    return block?.hash;
  }

  private async syncRange(from: number, to: number): Promise<void> {
    const a = this.deployment.addresses;
    const end = await this.client.getBlock({ blockNumber: BigInt(to) });
    const logs = await this.client.getLogs({ address: [a.rollup, a.inbox], fromBlock: BigInt(from), toBlock: BigInt(to) });
    // the logs must come from the chain whose end block we record; otherwise L1 reorged meanwhile: retry
    if ((await this.canonicalHash(to)) !== end.hash || logs.some((l) => l.blockNumber === BigInt(to) && l.blockHash !== end.hash)) {
      throw new Error(`L1 reorged while reading blocks ${from}..${to}`);
    }
    const hashes = new Map<number, string>();
    for (const log of logs) hashes.set(Number(log.blockNumber), log.blockHash!);
    const events = (await Promise.all(logs.map((log) => this.toEvent(log)))).filter((e): e is ArchiverEvent => e !== undefined);
    // A log from a block that was reorged out meanwhile: the next poll's reorg check rewinds it.
    this.store.applyBatch(events, hashes, { number: to, hash: end.hash, timestamp: Number(end.timestamp) });
    const blocks = events.filter((e) => e.kind === 'block').length;
    if (events.length) this.log.info({ l1From: from, l1To: to, blocks, events: events.length, pending: this.store.getPendingBlockNumber() }, 'archiver synced L1 logs');
    this.reportMetrics();
  }

  private async toEvent(log: Log): Promise<ArchiverEvent | undefined> {
    let ev: { eventName: string; args: Record<string, unknown> };
    try {
      ev = decodeEventLog({ abi: EVENTS_ABI, data: log.data, topics: log.topics }) as never;
    } catch {
      return undefined;
    }
    const key: [number, number] = [Number(log.blockNumber), log.logIndex!];
    const g = ev.args;
    switch (ev.eventName) {
      case 'L2BlockProposed':
        return { kind: 'block', key, block: await this.fetchBlock(log, g.blockNumber as bigint, g.headerHash as Hex) };
      case 'MessageSent':
        return { kind: 'message', l1Block: key[0], tree: Number(g.treeNumber), index: Number(g.index), leaf: BigInt(g.hash as Hex) };
      case 'L2ProofVerified':
        return { kind: 'proof', key, blockNumber: Number(g.blockNumber) };
      case 'ProofRightClaimed':
        return {
          kind: 'claim', l1Block: key[0], epoch: Number(g.epoch as bigint), prover: g.prover as Hex, proposer: g.proposer as Hex, bondAmount: g.bondAmount as bigint, basisPointFee: Number(g.basisPointFee),
        };
      case 'PrunedPending':
        return { kind: 'prune', l1Block: key[0], provenBlockNumber: Number(g.provenBlockNumber), pendingBlockNumber: Number(g.pendingBlockNumber) };
      default:
        return undefined;
    }
  }

  /** The proposed block, rebuilt from the `propose` tx's calldata and checked against the event. */
  private async fetchBlock(log: Log, blockNumber: bigint, headerHash: Hex): Promise<L2Block> {
    const tx = await this.client.getTransaction({ hash: log.transactionHash! });
    const block = decodeProposeCalldata(tx.input);
    if (block.number !== blockNumber) throw new Error(`L1 tx ${tx.hash}: calldata has block ${block.number}, the event block ${blockNumber}`);
    if (block.headerHash() !== BigInt(headerHash)) throw new Error(`L1 tx ${tx.hash}: block ${block.number}'s header does not hash to the event's headerHash`);
    return block;
  }

  private reportMetrics(): void {
    this.metrics?.onSynced({ l1Block: this.store.getSynced()?.number ?? 0, pending: this.store.getPendingBlockNumber(), proven: this.store.getProvenBlockNumber() });
  }

  // ---------------------------------------------------------------- L2BlockSource

  async getBlockNumber(): Promise<number> {
    return this.store.getPendingBlockNumber();
  }
  async getProvenBlockNumber(): Promise<number> {
    return this.store.getProvenBlockNumber();
  }
  async getTips(): Promise<L2Tips> {
    return { pending: this.store.getPendingBlockNumber(), proven: this.store.getProvenBlockNumber() };
  }
  async getBlock(blockNumber: number): Promise<L2Block | undefined> {
    return this.store.getBlock(blockNumber);
  }
  async getBlocks(from: number, limit: number): Promise<L2Block[]> {
    return this.store.getBlocks(from, limit);
  }
  async getL1ToL2Messages(blockNumber: number): Promise<bigint[]> {
    return this.store.getL1ToL2Messages(blockNumber);
  }
  async getBlocksForEpoch(epoch: number): Promise<L2Block[]> {
    const [first, last] = epochSlotRange(this.constants, epoch);
    return this.store.blockNumbersInSlots(Number(first), Number(last)).map((n) => this.store.getBlock(n)!);
  }
  async getTxHashesForEpoch(epoch: number): Promise<bigint[]> {
    return (await this.getBlocksForEpoch(epoch)).flatMap((b) => b.body.txEffects.map((e) => e.txHash));
  }
  async getRollupConstants(): Promise<L1RollupConstants> {
    return this.constants;
  }
  async getSyncedL1Block(): Promise<{ number: bigint; timestamp: bigint }> {
    const s = this.store.getSynced();
    return { number: BigInt(s?.number ?? 0), timestamp: BigInt(s?.timestamp ?? 0) };
  }
  async isEpochComplete(epoch: number): Promise<boolean> {
    const [, last] = epochSlotRange(this.constants, epoch);
    const synced = this.store.getSynced();
    return synced !== undefined && BigInt(synced.timestamp) >= timestampOfSlot(this.constants, last + 1n);
  }
  async getEpochProofClaim(epoch: number): Promise<EpochClaimRecord | undefined> {
    return this.store.getClaim(epoch);
  }
}
