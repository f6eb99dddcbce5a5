// The local network's block producer. Each tick: prune the pending chain when the Rollup allows it,
// claim the best quote for the previous epoch during its claim window, put txs whose block left the
// chain back in the pool, and, once per slot while txs are pending, build a block on a fork of its
// own world state (synced from the archiver) and `propose` it. Txs back from a block that left the
// chain are re-validated by the pool (client proof included) before they are proposed again: one
// that no longer validates is dropped, never re-proposed.
import type { Address } from 'viem';
import { getL1Contracts, type L1TxSender } from '@quetzal/l1';
import type { Logger } from '@quetzal/kernel/logging';
import type { L1Connection } from '@quetzal/protocol/l1-connection';
import type { L2BlockSource } from '@quetzal/protocol/l2-block-source';
import { quoteChainView } from '@quetzal/l1-client';
import { TxRejectedError, type NodeApi } from '@quetzal/protocol/node-api';
import type { P2PService } from '@quetzal/protocol/p2p';
import type { SignedEpochProofQuote } from '@quetzal/protocol/quote';
import type { Tx } from '@quetzal/protocol/tx';
import type { TxPool } from '@quetzal/protocol/tx-pool';
import type { WorldStateSynchronizer } from '@quetzal/protocol/world-state';
import { buildBlock } from './block-builder.js';
import { QuoteBook } from './quote-book.js';

export interface SequencerConfig {
  coinbase: Address;
  maxTxsPerBlock: number;
  pollingIntervalMs: number;
  /** Do not start building a block with less than this many seconds left in the slot. */
  minSecondsLeftInSlot: number;
}

export interface SequencerMetrics {
  onBlockProposed(numTxs: number): void;
  onClaim(): void;
  onPrune(): void;
  onPoolSize(size: number): void;
  /** node_sendTx refused a tx (`field`: the tx field at fault). */
  onTxRejected(field: string): void;
  /** A pooled tx was dropped: it failed its re-validation, or no longer fit the state at block building. */
  onTxDropped(stage: 'revalidation' | 'block-building'): void;
}

export class Sequencer implements NodeApi {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private ticking: Promise<void> | undefined;
  private lastProposedSlot = -1n;
  private readonly quotes: QuoteBook;
  private readonly contracts;

  constructor(
    private readonly l1: L1Connection,
    private readonly sender: L1TxSender,
    private readonly source: L2BlockSource,
    private readonly worldState: WorldStateSynchronizer,
    private readonly pool: TxPool,
    private readonly config: SequencerConfig,
    private readonly log: Logger,
    private readonly metrics?: SequencerMetrics,
    /** Gossips the txs sendTx takes, and hands over the quotes gossip validated. */
    private readonly p2p?: P2PService,
  ) {
    this.quotes = new QuoteBook(quoteChainView(l1));
    this.contracts = getL1Contracts(l1.client, l1.deployment.addresses);
    p2p?.onQuote((q) => {
      if (this.quotes.keep(q)) this.log.info({ epoch: q.quote.epochToProve, prover: q.quote.prover, basisPointFee: q.quote.basisPointFee }, 'quote accepted from gossip');
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const loop = async () => {
      if (!this.running) return;
      await this.tick();
      if (this.running) this.timer = setTimeout(loop, this.config.pollingIntervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.ticking;
  }

  /** One round of work (serialized); errors are logged, never thrown. */
  tick(): Promise<void> {
    this.ticking ??= this.doTick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async doTick(): Promise<void> {
    const step = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn();
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, `sequencer: ${what} failed`);
      }
    };
    await step('prune', () => this.pruneIfAllowed());
    await step('claim', () => this.claimIfDue());
    await step('reconcile', () => this.reconcileMined());
    await step('propose', () => this.proposeIfDue());
    this.metrics?.onPoolSize(this.pool.pendingCount);
  }

  private async pruneIfAllowed(): Promise<void> {
    const status = await this.l1.rollup.getPruneStatus();
    if (status.reason === 'none') return;
    await this.l1.rollup.prune(this.sender);
    this.metrics?.onPrune();
    this.log.info({ reason: status.reason, epoch: status.epoch }, 'pruned the pending chain');
  }

  private async claimIfDue(): Promise<void> {
    const { epochDuration, claimWindow } = this.l1.deployment.params;
    const slot = await this.l1.rollup.getCurrentSlot();
    const epoch = Number(slot / BigInt(epochDuration));
    this.quotes.pruneBefore(epoch - 1);
    if (epoch === 0 || slot % BigInt(epochDuration) >= BigInt(claimWindow)) return;
    const target = epoch - 1;
    const candidates = this.quotes.candidates(target, slot);
    if (candidates.length === 0) return;
    const [blocks, tips, claim] = await Promise.all([this.l1.rollup.getEpochBlocks(target), this.l1.rollup.getTips(), this.l1.rollup.getClaim(target)]);
    if (!blocks || blocks.first <= tips.proven || claim) return;
    if (!(await this.isProposer())) return;
    for (const q of candidates) {
      const deposit = await this.contracts.escrow.read.deposits([q.quote.prover]);
      if (deposit < q.quote.bondAmount) {
        this.log.info({ epoch: target, prover: q.quote.prover, deposit, bond: q.quote.bondAmount }, 'skipping a quote whose bond is not funded in the escrow');
        this.quotes.remove(q);
        continue;
      }
      try {
        await this.l1.rollup.claimEpochProofRight(this.sender, q);
        this.metrics?.onClaim();
        this.log.info({ epoch: target, prover: q.quote.prover, basisPointFee: q.quote.basisPointFee, bond: q.quote.bondAmount }, 'claimed the epoch proof right');
        return;
      } catch (e) {
        this.log.warn({ epoch: target, prover: q.quote.prover, err: (e as Error).message }, 'claim with this quote failed; trying the next');
        this.quotes.remove(q);
      }
    }
  }

  private async isProposer(): Promise<boolean> {
    const proposer = await this.l1.rollup.getCurrentProposer();
    return /^0x0{40}$/i.test(proposer) || proposer.toLowerCase() === this.sender.address.toLowerCase();
  }

  /** Txs whose block is no longer in the archiver's chain (prune, L1 reorg) become pending again. */
  private async reconcileMined(): Promise<void> {
    const [tips, synced] = await Promise.all([this.source.getTips(), this.source.getSyncedL1Block()]);
    const back: bigint[] = [];
    for (const m of this.pool.mined()) {
      if (m.block <= tips.proven || BigInt(m.l1Block) > synced.number) continue;
      const block = await this.source.getBlock(m.block);
      if (block?.headerHash() !== m.headerHash) back.push(m.hash);
    }
    if (back.length) {
      await this.pool.returnToPending(back);
      this.log.info({ txs: back.length }, 'txs of blocks that left the chain are pending again');
    }
  }

  private async proposeIfDue(): Promise<void> {
    if (this.pool.pendingCount === 0) return;
    const rollup = this.l1.rollup;
    const [slot, latestL1] = await Promise.all([rollup.getCurrentSlot(), this.l1.client.getBlock()]);
    if (slot <= this.lastProposedSlot) return;
    const { slotDuration } = this.l1.deployment.params;
    const slotEnd = (await rollup.timestampOfSlot(slot)) + BigInt(slotDuration);
    if (latestL1.timestamp + BigInt(this.config.minSecondsLeftInSlot) >= slotEnd) return;
    if (!(await this.isProposer())) return;
    const tips = await rollup.getTips();
    const parent = await rollup.getBlock(tips.pending);
    if (tips.pending > 0 && parent.slotNumber >= slot) return; // one block per slot
    const synced = await this.worldState.syncImmediate();
    if (synced !== tips.pending) {
      this.log.debug({ l1Pending: tips.pending, worldState: synced }, 'waiting for the archiver and world state to reach the L1 tip');
      return;
    }
    for (const d of await this.pool.revalidateReturned()) {
      this.metrics?.onTxDropped('revalidation');
      this.log.warn({ tx: `0x${d.hash.toString(16)}`, field: d.field, reason: d.reason }, 'dropped a tx of a block that left the chain: it no longer validates');
    }
    if (this.pool.pendingCount === 0) return;
    const blockNumber = tips.pending + 1;
    const [messages, fork] = await Promise.all([this.contracts.inbox.read.getLeaves([BigInt(blockNumber)]), this.worldState.fork(synced)]);
    let built;
    try {
      const archiveRoot = (await fork.getStateReference()).archive.root;
      if (archiveRoot !== parent.archive) throw new Error(`world state archive ${archiveRoot} differs from L1's ${parent.archive} at block ${tips.pending}`);
      built = await buildBlock(fork, this.pool.pending(this.config.maxTxsPerBlock), messages.map((m) => BigInt(m)), {
        chainId: BigInt(this.l1.chainId),
        version: this.l1.deployment.params.version,
        blockNumber: BigInt(blockNumber),
        slot,
        timestamp: await rollup.timestampOfSlot(slot),
        coinbase: this.config.coinbase,
      });
    } finally {
      await fork.close();
    }
    if (built.excluded.length) {
      for (const x of built.excluded) {
        this.log.info({ tx: `0x${x.tx.hash().toString(16)}`, reason: x.reason }, 'dropping a tx that no longer applies');
        this.metrics?.onTxDropped('block-building');
      }
      await this.pool.drop(built.excluded.map((x) => x.tx.hash()));
    }
    if (built.included.length === 0) return;
    this.lastProposedSlot = slot;
    const sent = await rollup.propose(this.sender, built.block);
    await this.pool.markMined(built.included, { block: Number(blockNumber), headerHash: built.block.headerHash(), l1Block: Number(sent.receipt.blockNumber) });
    this.metrics?.onBlockProposed(built.included.length);
    this.log.info({ block: Number(blockNumber), slot, txs: built.included.length, l1Block: sent.receipt.blockNumber, messages: messages.length }, 'proposed block');
  }

  // ---------------------------------------------------------------- NodeApi

  /** The pool validates the tx (TxRejectedError names why not); an accepted tx is gossiped to peers. */
  async sendTx(tx: Tx): Promise<bigint> {
    try {
      await this.pool.add(tx);
    } catch (e) {
      if (e instanceof TxRejectedError) this.metrics?.onTxRejected(e.field ?? 'pool');
      throw e;
    }
    this.metrics?.onPoolSize(this.pool.pendingCount);
    this.log.debug({ tx: `0x${tx.hash().toString(16)}` }, 'tx accepted');
    this.p2p?.publishTx(tx).catch((e) => this.log.warn({ tx: `0x${tx.hash().toString(16)}`, err: (e as Error).message }, 'could not gossip the tx'));
    return tx.hash();
  }

  async getTxByHash(txHash: bigint): Promise<Tx | undefined> {
    return this.pool.get(txHash);
  }

  async getTxsByHash(txHashes: bigint[]): Promise<(Tx | undefined)[]> {
    return txHashes.map((h) => this.pool.get(h));
  }

  async submitEpochProofQuote(quote: SignedEpochProofQuote): Promise<void> {
    await this.quotes.add(quote);
    this.log.info({ epoch: quote.quote.epochToProve, prover: quote.quote.prover, basisPointFee: quote.quote.basisPointFee }, 'quote accepted');
  }

  async getPendingTxCount(): Promise<number> {
    return this.pool.pendingCount;
  }
}
