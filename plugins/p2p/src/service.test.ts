// Three LibP2PService nodes on loopback in one process: tx gossip into each node's pool, request-
// response by hash with its rate limit, quote gossip with the shared quote check, and the disconnect of
// a peer that gossips invalid txs while the honest ones keep gossiping.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { privateKeyToAccount } from 'viem/accounts';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { silentLogger } from '@quetzal/kernel/testing';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { TxRejectedError } from '@quetzal/protocol/node-api';
import { signEpochProofQuote, type QuoteChainView, type SignedEpochProofQuote } from '@quetzal/protocol/quote';
import { buildTxCircuitInputs, Tx } from '@quetzal/protocol/tx';
import type { TxPool } from '@quetzal/protocol/tx-pool';
import { P2PMetrics } from './metrics.js';
import { LibP2PService } from './service.js';
import { DEFAULT_TX_REQUEST_LIMITS } from './tx-reqresp.js';

const INVALID_FEE = 13n;
const tx = (nonce: bigint, transactionFee = 1n) => new Tx(buildTxCircuitInputs({ secret: 7n, nonce, chainId: 1n, version: 1n, transactionFee }).effects, Array<bigint>(PROOF_LENGTH).fill(0n));

/** A pool that refuses fee 13 as invalid and keeps the rest. */
function memoryPool(): TxPool & { txs: Map<bigint, Tx> } {
  const txs = new Map<bigint, Tx>();
  return {
    txs,
    async add(t) {
      if (t.publicOutputs.transactionFee === INVALID_FEE) throw new TxRejectedError('fee 13 is invalid here');
      txs.set(t.hash(), t);
    },
    has: (h) => txs.has(h),
    get: (h) => txs.get(h),
  } as TxPool & { txs: Map<bigint, Tx> };
}

const PROVER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const chain: QuoteChainView = {
  domain: { chainId: 31337, rollup: '0x5FbDB2315678afecb367f032d93F642f64180aa3' },
  epochDuration: 4n,
  minimumBond: 10n,
  currentSlot: async () => 5n,
  escrowDeposit: async () => 100n,
};

interface TestNode {
  service: LibP2PService;
  pool: ReturnType<typeof memoryPool>;
  registry: Registry;
  quotes: SignedEpochProofQuote[];
}

async function startNode(bootstrapNodes: string[] = [], limits = DEFAULT_TX_REQUEST_LIMITS): Promise<TestNode> {
  const pool = memoryPool();
  const registry = new Registry();
  const holder: { s?: LibP2PService } = {};
  const service = await LibP2PService.start({
    privateKey: await generateKeyPair('Ed25519'),
    listenAddress: '127.0.0.1',
    port: 0,
    bootstrapNodes,
    maxPeers: 10,
    disconnectScore: -100,
    banMs: 60_000,
    txRequests: limits,
    pool,
    quoteChain: chain,
    metrics: new P2PMetrics(registry, { peers: () => holder.s?.peerCount() ?? 0, scores: () => holder.s?.scores() ?? new Map() }),
    logger: process.env.P2P_DEBUG ? (await import('pino')).pino({ level: 'debug' }) : silentLogger(),
  });
  holder.s = service;
  const quotes: SignedEpochProofQuote[] = [];
  service.onQuote((q) => quotes.push(q));
  return { service, pool, registry, quotes };
}

async function until(what: string, probe: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const metricValue = async (r: Registry, name: string, labels: string) => {
  const m = new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(await r.metrics());
  return m ? Number(m[1]) : 0;
};

describe('LibP2PService', () => {
  let a: TestNode, b: TestNode, c: TestNode;
  before(async () => {
    a = await startNode();
    b = await startNode(a.service.multiaddrs());
    c = await startNode(a.service.multiaddrs());
    // gossipsub needs a heartbeat or two to build its mesh
    await until('a mesh of three', () => a.service.peerCount() === 2 && b.service.peerCount() >= 1 && c.service.peerCount() >= 1);
    await new Promise((r) => setTimeout(r, 1500));
  });
  after(async () => {
    for (const n of [a, b, c]) await n?.service.stop();
  });

  it('logs a full multiaddr and gossips a tx into every peer\'s pool', async () => {
    assert.match(a.service.multiaddrs()[0]!, /^\/ip4\/127\.0\.0\.1\/tcp\/\d+\/p2p\/12D3Koo\w+$/);
    const t = tx(1n);
    assert.ok((await b.service.publishTx(t)) >= 1);
    await until('the tx in a and c', () => a.pool.has(t.hash()) && c.pool.has(t.hash()));
    assert.equal(await metricValue(a.registry, 'quetzal_p2p_gossip_messages_total', 'topic="/quetzal/tx/1",result="accepted"'), 1);
  });

  it('fetches txs by hash from peers, and answers undefined for unknown ones', async () => {
    const [t1, t2] = [tx(10n), tx(11n)];
    a.pool.txs.set(t1.hash(), t1);
    a.pool.txs.set(t2.hash(), t2);
    const got = await b.service.requestTxs([t1.hash(), 999n, t2.hash()]);
    assert.deepEqual(got.map((x) => x?.hash()), [t1.hash(), undefined, t2.hash()]);
    assert.ok((await metricValue(a.registry, 'quetzal_p2p_reqresp_requests_total', 'direction="in",outcome="ok"')) >= 1);
  });

  it('gossips a signed quote that passes the quote check, and drops one that does not', async () => {
    const account = privateKeyToAccount(PROVER_KEY);
    const good = await signEpochProofQuote(account, { epochToProve: 1n, validUntilSlot: 6n, bondAmount: 50n, prover: account.address, basisPointFee: 100 }, chain.domain);
    const unfunded = await signEpochProofQuote(account, { epochToProve: 1n, validUntilSlot: 6n, bondAmount: 500n, prover: account.address, basisPointFee: 100 }, chain.domain);
    await c.service.publishQuote(unfunded);
    await c.service.publishQuote(good);
    await until('the good quote at a and b', () => a.quotes.length === 1 && b.quotes.length === 1);
    assert.equal(a.quotes[0]!.quote.bondAmount, 50n);
    assert.ok((await metricValue(a.registry, 'quetzal_p2p_gossip_messages_total', 'topic="/quetzal/quote/1",result="rejected"')) >= 1);
  });

  it('disconnects a peer that gossips invalid txs; the honest peers keep gossiping', async () => {
    const rogue = await startNode(a.service.multiaddrs());
    try {
      await until('the rogue connected', () => a.service.peerCount() === 3);
      await new Promise((r) => setTimeout(r, 1500));
      for (let i = 0; i < 10 && a.service.peerCount() === 3; i++) {
        await rogue.service.publishTx(tx(100n + BigInt(i), INVALID_FEE)).catch(() => 0);
        await new Promise((r) => setTimeout(r, 100));
      }
      await until('the rogue disconnected', () => a.service.peerCount() === 2 && rogue.service.peerCount() === 0);
      assert.equal(await metricValue(a.registry, 'quetzal_p2p_peers_disconnected_total', 'reason="score"'), 1);
      assert.equal([...a.pool.txs.values()].filter((t) => t.publicOutputs.transactionFee === INVALID_FEE).length, 0, 'no invalid tx entered the pool');
      const t = tx(200n);
      await c.service.publishTx(t);
      await until('an honest tx still reaches b', () => b.pool.has(t.hash()));
    } finally {
      await rogue.service.stop();
    }
  });

  it('rate-limits tx requests per peer', async () => {
    const strict = await startNode(a.service.multiaddrs(), { ...DEFAULT_TX_REQUEST_LIMITS, requestsPerSecond: 1, burst: 2 });
    try {
      await until('connected', () => strict.service.peerCount() >= 1 && a.service.peerCount() === 3);
      const t = tx(300n);
      strict.pool.txs.set(t.hash(), t);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push((await a.service.requestTxs([t.hash()]))[0]?.hash());
      assert.deepEqual(answers.slice(0, 2), [t.hash(), t.hash()], 'the burst is served');
      assert.ok(answers.slice(2).includes(undefined), 'requests past the burst are refused');
      assert.ok((await metricValue(strict.registry, 'quetzal_p2p_reqresp_requests_total', 'direction="in",outcome="rate-limited"')) >= 1);
    } finally {
      await strict.service.stop();
    }
  });
});
