import { join } from 'node:path';
import { getAddress, isAddress } from 'viem';
import { z } from 'zod';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { resolveL1Key, type L1KeySource } from '@quetzal/l1';
import { NODE_RPC_NAMESPACE, NodeApiSchema, type NodeApi } from '@quetzal/protocol/node-api';
import { proverNodeChecks } from './checks.js';
import { PROVER_NODE_RPC_NAMESPACE, ProverNodeApiSchema } from '@quetzal/protocol/prover-node-api';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { DEFAULT_PROVING_SECONDS } from '@quetzal/protocol/proving-jobs';
import { Tokens } from '@quetzal/protocol/tokens';
import type { Logger } from '@quetzal/kernel/logging';
import type { P2PService } from '@quetzal/protocol/p2p';
import type { SignedEpochProofQuote } from '@quetzal/protocol/quote';
import type { TxPool } from '@quetzal/protocol/tx-pool';
import { BondManager } from './bond-manager.js';
import { BrokerAccess } from './broker-access.js';
import { L1EpochProofPublisher } from './l1-publisher.js';
import { ProverNodeMetrics } from './metrics.js';
import { ProverNode, type QuoteSink } from './prover-node.js';
import { FixedQuoteProvider, HttpQuoteProvider } from './quote-provider.js';
import { RpcTxProvider } from './tx-provider.js';
import { SIMULATED_PROVING_SECONDS } from './proving-time.js';
import { OrderedTxProvider, TX_SOURCE_KINDS, type TxSource, type TxSourceKind } from './tx-sources.js';

/** anvil's dev account the prover uses when no key is given (the sequencer uses 1, the bot 3). */
export const PROVER_DEV_ACCOUNT = 2;

/** Where the publisher's key comes from (`start` and `doctor` read it the same way). */
export function publisherKeySource(c: { publisherPrivateKey?: string; publisherPrivateKeyFile?: string }, chainId: number): L1KeySource {
  return { key: c.publisherPrivateKey, flag: '--prover-node.publisher-private-key', keyFile: c.publisherPrivateKeyFile, fileFlag: '--prover-node.publisher-private-key-file', devIndex: PROVER_DEV_ACCOUNT, chainId };
}

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
    nodeUrl: option.url({ description: 'Sequencer node JSON-RPC URL: quotes go to its submitEpochProofQuote, and it is the default tx provider node (default: the sequencer in this process; with --p2p.enabled quotes are also gossiped)', env: 'PROVER_NODE_NODE_URL' }),
    txProviderUrls: option.list({ description: 'Nodes to fetch full txs from (getTxsByHash), comma-separated', env: 'PROVER_NODE_TX_PROVIDER_URLS' }),
    txSources: option.custom(z.union([z.array(z.enum(TX_SOURCE_KINDS)), z.string().transform((v, ctx) => parseTxSources(v, ctx))]).default(['pool', 'peers', 'nodes']), {
      description: 'Where full txs are looked for, in order, comma-separated: pool (this process\'s tx pool), peers (request-response, with --p2p.enabled), nodes (--prover-node.tx-provider-urls or --prover-node.node-url)',
      env: 'PROVER_NODE_TX_SOURCES',
    }),
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
    failedEpochStore: option.string({ description: 'Directory where a failed or timed-out epoch job writes a bundle to replay it (`quetzal epoch replay`): blocks, txs, messages, job states and errors, every circuit\'s inputs', env: 'PROVER_NODE_FAILED_EPOCH_STORE' }),
    jobRetryDelayMs: option.int({ description: 'Wait before re-running a failed epoch job whose claim still stands', env: 'PROVER_NODE_JOB_RETRY_DELAY_MS', default: 10_000, min: 0 }),
  },
  // With a broker URL the node brings its own broker client; otherwise a broker in this process serves it.
  provides: { fromConfig: (c) => (c.brokerUrl ? [Tokens.ProvingJobProducer] : []) },
  checks: proverNodeChecks,
  requires: [Tokens.L1, Tokens.L2BlockSource, Tokens.WorldStateSynchronizer, Tokens.CircuitProver, Tokens.TxProofVerifier, Tokens.ProvingJobProducer, Tokens.TxPool, Tokens.P2P],
  // A sequencer in this process takes quotes when no node URL is given.
  uses: [Tokens.Node],
  remotes: (c) => [
    ...(c.brokerUrl ? [{ token: Tokens.ProvingJobProducer, url: c.brokerUrl.join(',') }] : []),
    ...(c.nodeUrl ? [{ token: Tokens.Node, url: c.nodeUrl }] : []),
  ],
  async start(ctx) {
    const c = ctx.config;
    const l1 = ctx.resolve(Tokens.L1);
    const { key } = resolveL1Key({ ...publisherKeySource(c, l1.chainId), redactor: ctx.redactor }, ctx.logger);
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

    const brokerAccess = new BrokerAccess(ctx.logger);
    const remoteBroker = c.brokerUrl ? new ProvingBrokerClient(c.brokerUrl, { timeoutMs: 60_000, authToken: c.brokerAuthToken }) : undefined;
    if (remoteBroker) ctx.provide(Tokens.ProvingJobProducer, brokerAccess.watch(remoteBroker));
    const producer = ctx.resolve(Tokens.ProvingJobProducer);
    if (c.brokerUrl) await brokerAccess.probe(producer);
    const node = ctx.resolveOptional(Tokens.Node);
    const p2p = ctx.resolve(Tokens.P2P);
    const txProvider = orderedTxProvider(c.txSources, {
      pool: ctx.resolve(Tokens.TxPool),
      p2p,
      urls: c.txProviderUrls?.length ? c.txProviderUrls : c.nodeUrl ? [c.nodeUrl] : [],
      rpc: { timeoutMs: c.txProviderTimeoutMs, retries: c.txProviderRetries },
      logger: ctx.logger,
    });
    const remoteNode = c.nodeUrl ? createJsonRpcClient(c.nodeUrl, NODE_RPC_NAMESPACE, { submitEpochProofQuote: NodeApiSchema.submitEpochProofQuote }, { timeoutMs: 10_000 }) : undefined;
    const quoteSink = quoteSinkOf({ remoteNode, p2p, localNode: c.nodeUrl ? undefined : node, logger: ctx.logger });
    ctx.logger.info({ txSources: txProvider.describe(), quotesTo: [c.nodeUrl, p2p.enabled ? 'gossip' : undefined, !c.nodeUrl && node ? 'the sequencer in this process' : undefined].filter(Boolean) }, 'prover node: where txs come from and quotes go');

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
      txProofs: ctx.resolve(Tokens.TxProofVerifier),
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
      failedEpochStore: c.failedEpochStore,
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
      isReady: () => !brokerAccess.refused,
    };
  },
});


function parseTxSources(v: string, ctx: z.RefinementCtx): TxSourceKind[] {
  const list = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = list.filter((x) => !(TX_SOURCE_KINDS as readonly string[]).includes(x));
  if (bad.length || list.length === 0) ctx.addIssue({ code: 'custom', message: `tx sources are ${TX_SOURCE_KINDS.join(', ')} (comma-separated, in the order to try), got "${v}"` });
  return list as TxSourceKind[];
}

/** The tx provider over the configured sources, in order; sources that cannot work here (no peers without P2P, no node URL) are left out. */
function orderedTxProvider(
  order: readonly TxSourceKind[],
  o: { pool: TxPool; p2p: P2PService; urls: string[]; rpc: { timeoutMs: number; retries: number }; logger: Logger },
): OrderedTxProvider {
  const sources: Record<TxSourceKind, TxSource | undefined> = {
    pool: { describe: () => 'pool', getTxsByHash: async (hashes) => hashes.map((h) => o.pool.get(h)) },
    peers: o.p2p.enabled ? { describe: () => `peers (${o.p2p.peerCount()} connected)`, getTxsByHash: (hashes, opts) => o.p2p.requestTxs(hashes, opts) } : undefined,
    nodes: o.urls.length ? new RpcTxProvider({ urls: o.urls, ...o.rpc, logger: o.logger }) : undefined,
  };
  return new OrderedTxProvider([...new Set(order)].flatMap((k) => sources[k] ?? []), o.logger);
}

/**
 * Where quotes go: the node at --prover-node.node-url, gossip (with --p2p.enabled), and the sequencer
 * in this process when there is no node URL (gossip does not come back to its sender). A quote counts
 * as sent when one of them took it.
 */
function quoteSinkOf(o: { remoteNode?: { submitEpochProofQuote(q: SignedEpochProofQuote): Promise<unknown> }; p2p: P2PService; localNode?: NodeApi; logger: Logger }): QuoteSink {
  return {
    async submitEpochProofQuote(q) {
      const local = o.localNode;
      const sinks: [string, () => Promise<unknown>][] = [];
      if (o.remoteNode) sinks.push(['node', () => o.remoteNode!.submitEpochProofQuote(q)]);
      if (o.p2p.enabled) {
        sinks.push(['gossip', async () => {
          if ((await o.p2p.publishQuote(q)) === 0) throw new Error('no peer took the gossiped quote');
        }]);
      }
      if (local) sinks.push(['sequencer in this process', () => local.submitEpochProofQuote(q)]);
      if (sinks.length === 0) throw new Error('nowhere to send quotes: pass --prover-node.node-url, or --p2p.enabled with --p2p.bootstrap-nodes');
      const results = await Promise.allSettled(sinks.map(([, send]) => send()));
      const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${sinks[i]![0]}: ${(r.reason as Error).message}`] : []));
      if (failed.length === sinks.length) throw new Error(`the quote reached no one (${failed.join('; ')})`);
      if (failed.length) o.logger.warn({ epoch: q.quote.epochToProve, failed }, 'quote not taken everywhere');
    },
  };
}
