// Keeps the tx pool in step with the chain the block source reports: txs that appear in a block are
// mined (whoever built it), and mined txs of proven blocks are forgotten (no prover needs them now).
import type { L2BlockSource } from '@quetzal/protocol/l2-block-source';
import type { TxPool } from './tx-pool.js';

export class TxPoolFollower {
  private seen = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly pool: TxPool,
    private readonly source: L2BlockSource,
    private readonly pollingIntervalMs: number,
    private readonly log: { warn(o: object, m: string): void },
  ) {}

  start(): void {
    const loop = async () => {
      this.running = this.sync().catch((e) => this.log.warn({ err: (e as Error).message }, 'tx pool could not follow the chain; retrying'));
      await this.running;
      // a stop that came during the step must not be undone by arming the next one
      if (!this.stopped) this.timer = setTimeout(loop, this.pollingIntervalMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** One step: mark the txs of blocks not seen yet, forget those of proven blocks. */
  async sync(): Promise<void> {
    const tips = await this.source.getTips();
    if (tips.pending < this.seen) this.seen = tips.proven; // a prune: look at the re-proposed blocks again
    for (let n = this.seen + 1; n <= tips.pending; n++) {
      const block = await this.source.getBlock(n);
      if (!block) break;
      const txs = block.body.txEffects.filter((e) => this.pool.isPending(e.txHash)).map((e) => this.pool.get(e.txHash)!);
      if (txs.length) await this.pool.markMined(txs, { block: n, headerHash: block.headerHash(), l1Block: 0 });
      this.seen = n;
    }
    await this.pool.forgetMinedUpTo(tips.proven);
  }
}
