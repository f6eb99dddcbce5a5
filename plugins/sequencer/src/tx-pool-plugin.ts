import { join } from 'node:path';
import { Counter, Gauge } from 'prom-client';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { Tokens } from '@quetzal/protocol/tokens';
import { bindDataDir } from '@quetzal/l1-client';
import { TxPool } from './tx-pool.js';
import { TxPoolFollower } from './tx-pool-follower.js';

/**
 * The process's tx pool, shared by its roles: the sequencer builds blocks from it, a prover node's tx
 * provider reads it, and the p2p service fills it from gossip and serves it to peers. Every tx is
 * validated once, on the way in (tx-validator.ts), whichever way it came.
 */
export const txPoolPlugin = definePlugin({
  name: 'tx-pool',
  description: 'Tx pool: txs from node_sendTx and gossip, validated on arrival, bounded in count and bytes (lowest fee evicted first)',
  options: {
    maxTxs: option.int({ description: 'Most pending txs; past it the lowest fee is evicted (among equal fees the latest arrival)', env: 'TX_POOL_MAX_TXS', default: 10_000, min: 1 }),
    maxBytes: option.int({ description: 'Most bytes of pending txs, same eviction rule', env: 'TX_POOL_MAX_BYTES', default: 256 * 1024 * 1024, min: 1024 }),
    pollingIntervalMs: option.int({ description: 'How often the pool marks txs the chain mined and forgets those of proven blocks', env: 'TX_POOL_POLLING_INTERVAL_MS', default: 1000, min: 20 }),
  },
  provides: [Tokens.TxPool],
  requires: [Tokens.L1, Tokens.L2BlockSource, Tokens.WorldStateSynchronizer, Tokens.TxProofVerifier],
  async start(ctx) {
    const l1 = ctx.resolve(Tokens.L1);
    const synchronizer = ctx.resolve(Tokens.WorldStateSynchronizer);
    bindDataDir(ctx.dataDir, l1, ctx.logger);
    const evicted = new Counter({ name: 'quetzal_tx_pool_evicted_total', help: 'Pending txs evicted to stay within the pool bounds', registers: [ctx.metrics] });
    const pool = new TxPool(join(ctx.dataDir, 'txs'), {
      limits: { maxTxs: ctx.config.maxTxs, maxBytes: ctx.config.maxBytes },
      validation: {
        chainId: BigInt(l1.chainId),
        version: l1.deployment.params.version,
        state: () => synchronizer.getCommitted(),
        proofs: ctx.resolve(Tokens.TxProofVerifier),
      },
      onEvicted: (n) => evicted.inc(n),
    });
    for (const [name, help, read] of [
      ['quetzal_tx_pool_pending_txs', 'Pending txs in the pool', () => pool.stats().pendingTxs],
      ['quetzal_tx_pool_pending_bytes', 'Bytes of pending txs in the pool', () => pool.stats().pendingBytes],
    ] as const) {
      new Gauge({ name, help, registers: [ctx.metrics], collect() { this.set(read()); } });
    }
    const follower = new TxPoolFollower(pool, ctx.resolve(Tokens.L2BlockSource), ctx.config.pollingIntervalMs, ctx.logger);
    follower.start();
    ctx.provide(Tokens.TxPool, pool);
    ctx.logger.info({ pendingTxs: pool.pendingCount, maxTxs: ctx.config.maxTxs, maxBytes: ctx.config.maxBytes, clientProofs: ctx.resolve(Tokens.TxProofVerifier).kind }, 'tx pool ready');
    return {
      async stop() {
        await follower.stop();
        await pool.close();
      },
    };
  },
});
