import { join } from 'node:path';
import { getAddress, isAddress } from 'viem';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { resolveL1Key } from '@quetzal/l1';
import { NODE_RPC_NAMESPACE, NodeApiSchema, type NodeApi } from '@quetzal/protocol/node-api';
import { PROVER_NODE_RPC_NAMESPACE, ProverNodeApiSchema } from '@quetzal/protocol/prover-node-api';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { DEFAULT_PROVING_SECONDS } from '@quetzal/protocol/proving-jobs';
import { Tokens } from '@quetzal/protocol/tokens';
import type { TxProvider } from '@quetzal/protocol/tx-provider';
import { BondManager } from './bond-manager.js';
import { L1EpochProofPublisher } from './l1-publisher.js';
import { ProverNodeMetrics } from './metrics.js';
import { ProverNode, type QuoteSink } from './prover-node.js';
import { FixedQuoteProvider, HttpQuoteProvider } from './quote-provider.js';
import { RpcTxProvider } from './tx-provider.js';
import { txProofsBeforeAdmission } from './tx-proofs-seam.js';
import { SIMULATED_PROVING_SECONDS } from './proving-time.js';

/** anvil's dev account the prover uses when no key is given (the sequencer uses 1, the bot 3). */
export const PROVER_DEV_ACCOUNT = 2;

export const proverNodePlugin = definePlugin({
  name: 'prover-node',
  description: 'Bids for epochs, proves the ones it wins and publishes the root proof on L1',
  role: { description: 'bids for epochs, proves the ones it wins and publishes the root proof on L1' },
  options: {
    publisherPrivateKey: option.string({ description: 'L1 key that signs quotes and sends proofs (hex)', env: 'PROVER_PUBLISHER_PRIVATE_KEY', aliases: ['proverNode.publisherPrivateKey'], secret: true }),
    publisherPrivateKeyFile: option.string({ description: 'File holding the L1 key, instead of passing it as a flag', env: 'PROVER_PUBLISHER_PRIVATE_KEY_FILE' }),
    proverId: option.string({ description: 'Prover id committed to in proofs (defaults to the publisher address; L1 requires it to be the claimant)', env: 'PROVER_ID' }),
    brokerUrl: option.urls({
      description: 'URL of a remote proving broker (instead of --prover-broker in this process); several comma-separated URLs of replicas on one database: the node moves on when one stops answering',
      env: 'PROVER_NODE_BROKER_URL',
    }),
    brokerAuthToken: option.string({ description: 'Bearer token of the remote broker', env: 'PROVER_NODE_BROKER_AUTH_TOKEN', secret: true }),
    nodeUrl: option.url({ description: 'Sequencer node JSON-RPC URL: quotes go to its submitEpochProofQuote, and it is the default tx provider (default: the sequencer in this process)', env: 'PROVER_NODE_NODE_URL' }),
    txProviderUrls: option.list({ description: 'Nodes to fetch full txs from (getTxsByHash), comma-separated', env: 'PROVER_NODE_TX_PROVIDER_URLS' }),
    txProviderTimeoutMs: option.int({ description: 'Timeout of one tx fetch', env: 'PROVER_NODE_TX_PROVIDER_TIMEOUT_MS', default: 10_000, min: 1 }),
    txProviderRetries: option.int({ description: 'Further rounds over the tx provider nodes while txs are missing', env: 'PROVER_NODE_TX_PROVIDER_RETRIES', default: 3, min: 0 }),
    'quote.basisPointFee': option.int({ description: 'Share of each block reward asked for proving, in basis points', env: 'PROVER_NODE_QUOTE_BASIS_POINT_FEE', default: 100, min: 0, max: 10_000 }),
    'quote.bondAmount': option.bigint({ description: 'Bond staked per claimed epoch, in bond token units', env: 'PROVER_NODE_QUOTE_BOND_AMOUNT', default: 1000n * 10n ** 18n }),
    'quote.providerUrl': option.url({ description: 'HTTP endpoint returning {basisPointFee, bondAmount} for an epoch (GET ?epoch=N), instead of the fixed quote', env: 'PROVER_NODE_QUOTE_PROVIDER_URL' }),
    'bond.minimumDeposit': option.bigint({ description: 'Top up the escrow deposit when it falls below this', env: 'PROVER_NODE_BOND_MINIMUM_DEPOSIT', default: 2000n * 10n ** 18n }),
    'bond.targetDeposit': option.bigint({ description: 'Escrow deposit to top up to', env: 'PROVER_NODE_BOND_TARGET_DEPOSIT', default: 5000n * 10n ** 18n }),
    pollingIntervalMs: option.int({ description: 'How often to check L1 for epochs and claims', env: 'PROVER_NODE_POLLING_INTERVAL_MS', default: 1000, min: 50 }),
    publishRetryIntervalMs: option.int({ description: 'Wait between attempts to publish a proof L1 does not accept yet', env: 'PROVER_NODE_PUBLISH_RETRY_INTERVAL_MS', default: 2000, min: 10 }),
    rootCircuit: option.enum(['auto', 'root-single'], {
      description: 'Top of the proof tree: root-single always (over a block-merge tree), so that the one L1 verifier the network deploys (root-single\'s) accepts every epoch; or auto (root over two block proofs, root-single for one block) for a Rollup whose verifier takes both',
      env: 'PROVER_NODE_ROOT_CIRCUIT',
      default: 'root-single',
    }),
    proveAhead: option.boolean({
      description: 'Prove each block\'s sub-tree (parity, bases, merges, block-root) as soon as the block is on L1 and validated, as speculative work the broker serves after claimed work; a won claim re-uses those proofs, a lost epoch cancels them',
      env: 'PROVER_NODE_PROVE_AHEAD',
      default: false,
    }),
    jobRetryDelayMs: option.int({ description: 'Wait before re-running a failed epoch job whose claim still stands', env: 'PROVER_NODE_JOB_RETRY_DELAY_MS', default: 10_000, min: 0 }),
  },
  // With a broker URL the node brings its own broker client; otherwise a broker in this process serves it.
  provides: { fromConfig: (c) => (c.brokerUrl ? [Tokens.ProvingJobProducer] : []) },
  requires: [Tokens.L1, Tokens.L2BlockSource, Tokens.WorldStateSynchronizer, Tokens.CircuitProver, Tokens.ProvingJobProducer],
  // A sequencer in this process takes quotes and serves txs when no node URL is given; the
  // circuit-prover plugin checks client proofs (see txProofsBeforeAdmission).
  uses: [Tokens.Node, Tokens.TxProofVerifier],
  remotes: (c) => [
    ...(c.brokerUrl ? [{ token: Tokens.ProvingJobProducer, url: c.brokerUrl.join(',') }] : []),
    ...(c.nodeUrl ? [{ token: Tokens.Node, url: c.nodeUrl }] : []),
  ],
  async start(ctx) {
    const c = ctx.config;
    const l1 = ctx.resolve(Tokens.L1);
    const { key } = resolveL1Key(
      { key: c.publisherPrivateKey, flag: '--prover-node.publisher-private-key', keyFile: c.publisherPrivateKeyFile, fileFlag: '--prover-node.publisher-private-key-file', devIndex: PROVER_DEV_ACCOUNT, chainId: l1.chainId },
      ctx.logger,
    );
    const sender = l1.sender(key);
    const proverAddress = sender.address;
    if (c.proverId !== undefined && (!isAddress(c.proverId) || getAddress(c.proverId) !== proverAddress)) {
      throw new Error(`--prover-node.prover-id must be the publisher's address ${proverAddress}: L1 accepts a proof only with the claimant as prover id`);
    }

    const circuitProver = ctx.resolve(Tokens.CircuitProver);
    const keys = { vkTree: await circuitProver.getVkTree(), txVerificationKey: await circuitProver.getVerificationKey('tx') };
    const config = await l1.rollup.getConfig();
    if (config.vkTreeRoot !== keys.vkTree.root) {
      throw new Error(
        `the Rollup expects VK tree root 0x${config.vkTreeRoot.toString(16)} but the ${circuitProver.kind} circuit prover has 0x${keys.vkTree.root.toString(16)}: ` +
          'use the --circuit-prover.backend the network was deployed for',
      );
    }

    const remoteBroker = c.brokerUrl ? new ProvingBrokerClient(c.brokerUrl, { timeoutMs: 60_000, authToken: c.brokerAuthToken }) : undefined;
    if (remoteBroker) ctx.provide(Tokens.ProvingJobProducer, remoteBroker);
    const producer = ctx.resolve(Tokens.ProvingJobProducer);
    const node = ctx.resolveOptional(Tokens.Node);
    const urls = c.txProviderUrls?.length ? c.txProviderUrls : c.nodeUrl ? [c.nodeUrl] : undefined;
    const txProvider: TxProvider = urls
      ? new RpcTxProvider({ urls, timeoutMs: c.txProviderTimeoutMs, retries: c.txProviderRetries, logger: ctx.logger })
      : { getTxsByHash: async (hashes) => requireNode(node, '--prover-node.tx-provider-urls').getTxsByHash([...hashes]) };
    const remoteNode = c.nodeUrl ? createJsonRpcClient(c.nodeUrl, NODE_RPC_NAMESPACE, { submitEpochProofQuote: NodeApiSchema.submitEpochProofQuote }, { timeoutMs: 10_000 }) : undefined;
    const quoteSink: QuoteSink = {
      submitEpochProofQuote: async (q) => {
        if (remoteNode) await remoteNode.submitEpochProofQuote(q);
        else await requireNode(node, '--prover-node.node-url').submitEpochProofQuote(q);
      },
    };

    const blockSource = ctx.resolve(Tokens.L2BlockSource);
    const worldState = ctx.resolve(Tokens.WorldStateSynchronizer);

    const metrics = new ProverNodeMetrics(ctx.metrics, () => proverNode.allJobs());
    const proverNode: ProverNode = new ProverNode({
      client: l1.client,
      rollup: l1.rollup,
      chainId: l1.chainId,
      sender,
      blockSource,
      worldState,
      producer,
      txProvider,
      txProofs: ctx.resolveOptional(Tokens.TxProofVerifier) ?? txProofsBeforeAdmission(circuitProver.kind, ctx.logger),
      quoteSink,
      quoteProvider: c['quote.providerUrl']
        ? new HttpQuoteProvider(c['quote.providerUrl'])
        : new FixedQuoteProvider({ basisPointFee: c['quote.basisPointFee'], bondAmount: c['quote.bondAmount'] }),
      bondManager: new BondManager({
        client: l1.client,
        sender,
        escrow: l1.deployment.addresses.escrow,
        token: l1.deployment.addresses.token,
        minimumDeposit: c['bond.minimumDeposit'],
        targetDeposit: c['bond.targetDeposit'],
        logger: ctx.logger,
      }),
      publisher: new L1EpochProofPublisher({ rollup: l1.rollup, sender, proverAddress, retryIntervalMs: c.publishRetryIntervalMs, logger: ctx.logger }),
      keys,
      proverId: BigInt(proverAddress),
      rootCircuit: c.rootCircuit,
      pollingIntervalMs: c.pollingIntervalMs,
      jobRetryDelayMs: c.jobRetryDelayMs,
      dataDirectory: join(ctx.core.dataDir, 'prover-node'),
      proveAhead: c.proveAhead,
      provingSeconds: circuitProver.kind === 'native' ? DEFAULT_PROVING_SECONDS : SIMULATED_PROVING_SECONDS,
      logger: ctx.logger,
      metrics,
    });
    ctx.rpc.register(PROVER_NODE_RPC_NAMESPACE, ProverNodeApiSchema, {
      getJobs: () => proverNode.getJobs(),
      getJob: (id: string) => proverNode.getJob(id) ?? null,
      getStatus: () => proverNode.getStatus(),
    });
    await proverNode.start();
    ctx.logger.info({ prover: proverAddress, broker: remoteBroker?.url ?? 'in-process', circuitProver: circuitProver.kind }, 'prover node started');
    return {
      async stop() {
        await proverNode.stop();
        remoteBroker?.close();
      },
    };
  },
});


function requireNode(node: NodeApi | undefined, flag: string): NodeApi {
  if (!node) throw new Error(`no sequencer in this process: pass ${flag}`);
  return node;
}
