import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';

export const proverNodePlugin = definePlugin({
  name: 'prover-node',
  description: 'Bids for epochs, proves the ones it wins and publishes the root proof on L1',
  role: { description: 'bids for epochs, proves the ones it wins and publishes the root proof on L1' },
  options: {
    publisherPrivateKey: option.string({ description: 'L1 key that signs quotes and sends proofs (hex)', env: 'PROVER_PUBLISHER_PRIVATE_KEY', aliases: ['proverNode.publisherPrivateKey'], secret: true }),
    publisherPrivateKeyFile: option.string({ description: 'File holding the L1 key, instead of passing it as a flag', env: 'PROVER_PUBLISHER_PRIVATE_KEY_FILE' }),
    proverId: option.string({ description: 'Prover id committed to in proofs (defaults to the publisher address)', env: 'PROVER_ID' }),
    brokerUrl: option.url({ description: 'URL of a remote proving broker (instead of --prover-broker in this process)', env: 'PROVER_NODE_BROKER_URL' }),
    txProviderUrls: option.list({ description: 'Nodes to fetch full txs from (getTxsByHash), comma-separated', env: 'PROVER_NODE_TX_PROVIDER_URLS' }),
    txProviderTimeoutMs: option.int({ description: 'Timeout of one tx fetch', env: 'PROVER_NODE_TX_PROVIDER_TIMEOUT_MS', default: 10_000, min: 1 }),
    'quote.basisPointFee': option.int({ description: 'Share of each block reward asked for proving, in basis points', env: 'PROVER_NODE_QUOTE_BASIS_POINT_FEE', default: 100, min: 0, max: 10_000 }),
    'quote.bondAmount': option.bigint({ description: 'Bond staked per claimed epoch, in bond token units', env: 'PROVER_NODE_QUOTE_BOND_AMOUNT', default: 1000n * 10n ** 18n }),
    'quote.providerUrl': option.url({ description: 'HTTP endpoint returning {basisPointFee, bondAmount} for an epoch, instead of the fixed quote', env: 'PROVER_NODE_QUOTE_PROVIDER_URL' }),
    'bond.minimumDeposit': option.bigint({ description: 'Top up the escrow deposit when it falls below this', env: 'PROVER_NODE_BOND_MINIMUM_DEPOSIT', default: 2000n * 10n ** 18n }),
    'bond.targetDeposit': option.bigint({ description: 'Escrow deposit to top up to', env: 'PROVER_NODE_BOND_TARGET_DEPOSIT', default: 5000n * 10n ** 18n }),
    pollingIntervalMs: option.int({ description: 'How often to check L1 for epochs and claims', env: 'PROVER_NODE_POLLING_INTERVAL_MS', default: 1000, min: 50 }),
  },
  async start(ctx) {
    ctx.logger.info({ mode: ctx.mode }, 'prover-node role is configured; its services arrive with their issue');
  },
});
