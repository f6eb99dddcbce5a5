import { Counter, Gauge, type Registry } from 'prom-client';
import { getAddress } from 'viem';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { devAccountSecret } from '@quetzal/protocol/genesis';
import { MAX_TXS_PER_BLOCK } from '@quetzal/protocol/constants';
import { Tokens } from '@quetzal/protocol/tokens';
import { bindDataDir } from '@quetzal/l1-client';
import { resolveL1Key } from '@quetzal/l1';
import { TxBot } from './bot.js';
import { createNodeClient, registerNodeRpc } from './node-rpc.js';
import { Sequencer, type SequencerMetrics } from './sequencer.js';

/** anvil dev accounts used by default on the local network (0 deploys, 2 is the prover node's). */
const DEV_ACCOUNT = { sequencer: 1, bot: 3 };

export const sequencerPlugin = definePlugin({
  name: 'sequencer',
  description: 'Block producer: a tx pool behind JSON-RPC (node_sendTx), one block per slot on L1, claims of the best epoch proof quote, prunes',
  role: { description: 'pools txs (node_sendTx), proposes a block per slot while txs are pending, claims the best epoch proof quote, prunes' },
  options: {
    publisherPrivateKey: option.string({ description: 'L1 key that proposes blocks and claims (hex); default on anvil: dev account 1', env: 'SEQ_PUBLISHER_PRIVATE_KEY', secret: true }),
    coinbase: option.string({ description: 'L1 address that receives block rewards (default: the publisher)', env: 'COINBASE' }),
    maxTxsPerBlock: option.int({ description: 'Most txs in one block', env: 'SEQ_MAX_TXS_PER_BLOCK', default: 16, min: 1, max: MAX_TXS_PER_BLOCK }),
    pollingIntervalMs: option.int({ description: 'How often the sequencer checks slots, claims and prunes', env: 'SEQ_POLLING_INTERVAL_MS', default: 500, min: 20 }),
    minSecondsLeftInSlot: option.int({ description: 'Do not start a block with fewer seconds left in the slot (the proposal must land in it)', env: 'SEQ_MIN_SECONDS_LEFT_IN_SLOT', default: 1, min: 0 }),
  },
  provides: [Tokens.Node],
  requires: [Tokens.L1, Tokens.L2BlockSource, Tokens.WorldStateSynchronizer, Tokens.TxPool, Tokens.P2P],
  async start(ctx) {
    const l1 = ctx.resolve(Tokens.L1);
    const source = ctx.resolve(Tokens.L2BlockSource);
    const { key } = resolveL1Key({ key: ctx.config.publisherPrivateKey, flag: '--sequencer.publisher-private-key', devIndex: DEV_ACCOUNT.sequencer, chainId: l1.chainId, redactor: ctx.redactor }, ctx.logger);
    const sender = l1.sender(key);
    bindDataDir(ctx.dataDir, l1, ctx.logger);
    const synchronizer = ctx.resolve(Tokens.WorldStateSynchronizer);
    const pool = ctx.resolve(Tokens.TxPool);
    const sequencer = new Sequencer(
      l1, sender, source, synchronizer, pool,
      {
        coinbase: getAddress(ctx.config.coinbase ?? sender.address),
        maxTxsPerBlock: ctx.config.maxTxsPerBlock,
        pollingIntervalMs: ctx.config.pollingIntervalMs,
        minSecondsLeftInSlot: minSecondsLeft(ctx.config.minSecondsLeftInSlot, l1.deployment.params.slotDuration, ctx.logger),
      },
      ctx.logger,
      sequencerMetrics(ctx.metrics),
      ctx.resolve(Tokens.P2P),
    );
    registerNodeRpc(ctx.rpc, sequencer);
    ctx.provide(Tokens.Node, sequencer);
    sequencer.start();
    ctx.logger.info({ publisher: sender.address, pendingTxs: pool.pendingCount }, 'sequencer started (JSON-RPC namespace node)');
    return {
      stop: () => sequencer.stop(),
    };
  },
});

/** At most slotDuration - 1 seconds, or no block could ever start. */
function minSecondsLeft(configured: number, slotDuration: number, log: { warn(o: object, m: string): void }): number {
  if (configured < slotDuration) return configured;
  const clamped = Math.max(0, slotDuration - 1);
  log.warn({ configured, slotDuration, using: clamped }, '--sequencer.min-seconds-left-in-slot is not below the slot duration; lowering it');
  return clamped;
}

function sequencerMetrics(registry: Registry): SequencerMetrics {
  const blocks = new Counter({ name: 'quetzal_sequencer_blocks_proposed_total', help: 'Blocks proposed on L1', registers: [registry] });
  const txs = new Counter({ name: 'quetzal_sequencer_txs_included_total', help: 'Txs included in proposed blocks', registers: [registry] });
  const claims = new Counter({ name: 'quetzal_sequencer_claims_total', help: 'Epoch proof rights claimed', registers: [registry] });
  const prunes = new Counter({ name: 'quetzal_sequencer_prunes_total', help: 'Prunes sent', registers: [registry] });
  const pool = new Gauge({ name: 'quetzal_sequencer_pending_txs', help: 'Txs waiting for a block', registers: [registry] });
  const rejected = new Counter({ name: 'quetzal_sequencer_txs_rejected_total', help: 'Txs node_sendTx refused, by the tx field at fault (pool: the pool was full)', labelNames: ['field'], registers: [registry] });
  const dropped = new Counter({
    name: 'quetzal_sequencer_txs_dropped_total',
    help: 'Pooled txs dropped: failed re-validation after their block left the chain, or no longer fit the state at block building',
    labelNames: ['stage'],
    registers: [registry],
  });
  return {
    onBlockProposed: (n) => (blocks.inc(), txs.inc(n)),
    onClaim: () => claims.inc(),
    onPrune: () => prunes.inc(),
    onPoolSize: (n) => pool.set(n),
    onTxRejected: (field) => rejected.inc({ field }),
    onTxDropped: (stage) => dropped.inc({ stage }),
  };
}

export const botPlugin = definePlugin({
  name: 'bot',
  description: 'Local network tx bot: valid txs with client proofs at a fixed rate, and L1->L2 messages',
  role: { description: 'sends valid txs (client proofs from the configured circuit prover) and L1->L2 messages at a fixed rate' },
  options: {
    nodeUrl: option.url({ description: 'Node to send txs to (default: the sequencer in this process)', env: 'BOT_NODE_URL' }),
    txIntervalMs: option.int({ description: 'Time between txs', env: 'BOT_TX_INTERVAL_MS', default: 10_000, min: 10 }),
    messageIntervalMs: option.int({ description: 'Time between L1->L2 messages (0: none)', env: 'BOT_MESSAGE_INTERVAL_MS', default: 30_000, min: 0 }),
    transactionFee: option.bigint({ description: 'Fee each tx pays', env: 'BOT_TX_FEE', default: 1000n }),
    accounts: option.int({ description: 'Dev fee payers to spend from (they hold balances in the dev genesis)', env: 'BOT_ACCOUNTS', default: 4, min: 1 }),
    l1PrivateKey: option.string({ description: 'L1 key that sends L1->L2 messages (hex); default on anvil: dev account 3', env: 'BOT_L1_PRIVATE_KEY', secret: true }),
  },
  // With a node URL the bot brings its own node client; otherwise a sequencer in this process serves it.
  provides: { fromConfig: (c) => (c.nodeUrl ? [Tokens.Node] : []) },
  requires: [Tokens.L1, Tokens.CircuitProver, Tokens.Node],
  remotes: (c) => (c.nodeUrl ? [{ token: Tokens.Node, url: c.nodeUrl }] : []),
  async start(ctx) {
    const l1 = ctx.resolve(Tokens.L1);
    if (ctx.config.nodeUrl) ctx.provide(Tokens.Node, createNodeClient(ctx.config.nodeUrl));
    const node = ctx.resolve(Tokens.Node);
    const sender = ctx.config.messageIntervalMs > 0 ? l1.sender(resolveL1Key({ key: ctx.config.l1PrivateKey, flag: '--bot.l1-private-key', devIndex: DEV_ACCOUNT.bot, chainId: l1.chainId, redactor: ctx.redactor }, ctx.logger).key) : undefined;
    const bot = new TxBot(
      node,
      ctx.resolve(Tokens.CircuitProver),
      {
        chainId: BigInt(l1.chainId),
        version: l1.deployment.params.version,
        secrets: Array.from({ length: ctx.config.accounts }, (_, i) => devAccountSecret(i)),
        transactionFee: ctx.config.transactionFee,
        txIntervalMs: ctx.config.txIntervalMs,
        messageIntervalMs: ctx.config.messageIntervalMs,
      },
      sender && { sender, inbox: l1.deployment.addresses.inbox },
      ctx.logger,
    );
    bot.start();
    ctx.logger.info({ txIntervalMs: ctx.config.txIntervalMs, messageIntervalMs: ctx.config.messageIntervalMs }, 'tx bot started');
    return { stop: () => bot.stop() };
  },
});
