// P2P with real processes on loopback (simulated proofs, 3 s slots): (A) anvil + sequencer + archiver,
// (C) a bot sending txs to A over JSON-RPC, (B) prover node + broker + agent + archiver joined to A
// only through --p2p.bootstrap-nodes (no node URL, no tx-provider URL), started after A mined txs.
// B learns txs from gossip and fetches the ones mined before it joined by request-response; its
// quotes reach A only over gossip; two epochs are proven on L1 by B. Then a peer gossiping invalid
// txs is disconnected while the honest ones keep gossiping, and a flood of 10k txs stays within A's
// pool bounds.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { generateKeyPair } from '@libp2p/crypto/keys';
import { silentLogger } from '@quetzal/kernel/testing';
import { ANVIL_DEFAULT_PRIVATE_KEYS } from '@quetzal/l1';
import { LibP2PService, P2PMetrics, DEFAULT_TX_REQUEST_LIMITS } from '@quetzal/p2p';
import { createArchiverClient } from '@quetzal/archiver';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import { devAccountSecret } from '@quetzal/protocol/genesis';
import { createNodeClient } from '@quetzal/protocol/node-api';
import type { QuoteChainView } from '@quetzal/protocol/quote';
import { buildTxCircuitInputs, Tx } from '@quetzal/protocol/tx';
import type { TxPool } from '@quetzal/protocol/tx-pool';
import { Registry } from 'prom-client';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { labelledMetric, localNetworkInfo, metric, p2pMultiaddr, proverNodeClient, waitFor } from './helpers.js';

const POOL_MAX_TXS = 1000;
const FLOOD = 10_000;
const P2P = ['--p2p.enabled', '--p2p.port', '0', '--p2p.listen-address', '127.0.0.1'];
const PROVER_ADDRESS = privateKeyToAccount(ANVIL_DEFAULT_PRIVATE_KEYS[2]!).address;

/** A peer run by the test: it publishes what it is told and validates nothing of its own. */
async function testPeer(bootstrap: string): Promise<LibP2PService> {
  const pool = { add: async () => {}, has: () => false, get: () => undefined } as unknown as TxPool;
  const chain = { currentSlot: async () => 0n } as unknown as QuoteChainView;
  const holder: { s?: LibP2PService } = {};
  const service = await LibP2PService.start({
    privateKey: await generateKeyPair('Ed25519'), listenAddress: '127.0.0.1', port: 0, bootstrapNodes: [bootstrap], maxPeers: 10,
    disconnectScore: -200, banMs: 60_000, txRequests: DEFAULT_TX_REQUEST_LIMITS, pool, quoteChain: chain,
    metrics: new P2PMetrics(new Registry(), { peers: () => holder.s?.peerCount() ?? 0, scores: () => new Map() }), logger: silentLogger(),
  });
  holder.s = service;
  await waitFor('the test peer to connect', async () => service.peerCount() > 0, 20_000);
  await new Promise((r) => setTimeout(r, 2000)); // a gossipsub heartbeat or two: into the mesh
  return service;
}

/** A tx the pool takes: a dev account with a genesis balance, its own nonce, the simulated proof. */
const validTx = (nonce: bigint, transactionFee: bigint, account = 3) =>
  new Tx(buildTxCircuitInputs({ secret: devAccountSecret(account), nonce, chainId: 31337n, version: 1n, transactionFee }).effects, Array<bigint>(PROOF_LENGTH).fill(0n));

describe('P2P between processes', () => {
  const running: RunningCli[] = [];
  let a: RunningCli, b: RunningCli;
  let aEnv: NodeJS.ProcessEnv;

  before(async () => {
    aEnv = isolatedEnv();
    a = await startCli(
      ['--local-network', '--port', '0', '--local-network.anvil-port', '0', '--local-network.slot-duration', '3', '--local-network.epoch-duration', '4',
        '--local-network.claim-window', '2', '--local-network.proof-submission-window', '24', '--sequencer', '--sequencer.min-seconds-left-in-slot', '1',
        '--archiver', '--archiver.polling-interval-ms', '200', '--tx-pool.max-txs', String(POOL_MAX_TXS), ...P2P],
      aEnv,
      90_000,
    );
    running.push(a);
    const { l1Url, deploymentFile, genesisFile } = localNetworkInfo(a, aEnv.DATA_DIRECTORY!);
    const join = ['--l1.rpc-urls', l1Url, '--l1.deployment', deploymentFile, '--l1-client.genesis-file', genesisFile, '--port', '0'];
    running.push(await startCli(['--bot', '--bot.node-url', `http://127.0.0.1:${a.port}`, '--bot.tx-interval-ms', '700', '--bot.message-interval-ms', '1500', ...join], isolatedEnv(), 60_000));
    // txs mined before B exists were gossiped to nobody: B can only fetch them by request-response
    const archiver = createArchiverClient(`http://127.0.0.1:${a.port}`);
    await waitFor('a block with txs on A', async () => (await archiver.getBlock(1))?.body.numTxs, 60_000, a.logs);
    b = await startCli(
      ['--prover-node', '--prover-node.polling-interval-ms', '300', '--prover-broker', '--prover-agent', '--prover-agent.count', '2',
        '--archiver', '--archiver.polling-interval-ms', '200', ...P2P, '--p2p.bootstrap-nodes', p2pMultiaddr(a), ...join],
      isolatedEnv(),
      90_000,
    );
    running.push(b);
  });
  after(async () => {
    for (const r of running.reverse()) await r.stop();
  });

  it('a prover node joined only by bootstrap nodes learns txs by gossip and request-response, bids over gossip and proves two epochs', async () => {
    assert.match(b.logs(), /"txSources":"pool, peers \(\d+ connected\)","quotesTo":\["gossip"\],"msg":"prover node: where txs come from and quotes go"/, 'B has no node to ask: its pool and peers, quotes over gossip');
    await waitFor('B ready: it has a peer', async () => (await fetch(`http://127.0.0.1:${b.port}/ready`)).status === 200, 20_000, b.logs);
    const { rollup } = localNetworkInfo(a, aEnv.DATA_DIRECTORY!);
    const node = proverNodeClient(b.port);
    const epochs = await waitFor(
      'two epochs proven by B',
      async () => {
        const done = (await node.getJobs()).filter((j) => j.state === 'completed').map((j) => j.epoch);
        return done.length >= 2 ? done.slice(0, 2) : undefined;
      },
      150_000,
      () => `${b.logs().slice(-4000)}\n--- A ---\n${a.logs().slice(-3000)}`,
    );
    for (const e of epochs) {
      const claim = (await rollup.getClaim(e))!;
      assert.equal(claim.status, 'proven', `epoch ${e} is proven on L1`);
      assert.equal(getAddress(claim.prover), PROVER_ADDRESS, `B's quote (gossiped) won epoch ${e}`);
    }
    assert.ok((await labelledMetric(a.port, 'quetzal_p2p_gossip_messages_total', 'topic="/quetzal/quote/1",result="accepted"')) >= 2, 'A took B\'s quotes from gossip');
    assert.match(a.logs(), /"msg":"quote accepted from gossip"/);
    assert.ok((await labelledMetric(b.port, 'quetzal_p2p_gossip_messages_total', 'topic="/quetzal/tx/1",result="accepted"')) > 0, 'B took txs from gossip');
    assert.ok((await labelledMetric(b.port, 'quetzal_p2p_reqresp_requests_total', 'direction="out",outcome="ok"')) > 0, 'B fetched txs from A by hash');
    assert.ok((await labelledMetric(a.port, 'quetzal_p2p_reqresp_requests_total', 'direction="in",outcome="ok"')) > 0, 'A served them');
    assert.ok((await metric(b.port, 'quetzal_p2p_peers')) >= 1);
  });

  it('a peer gossiping invalid txs is disconnected and refused; the honest peers keep gossiping', async () => {
    const rogue = await testPeer(p2pMultiaddr(a));
    try {
      const peersBefore = await metric(a.port, 'quetzal_p2p_peers');
      // a valid shape with a forged client proof: every node refuses it
      for (let i = 0; i < 20 && rogue.peerCount() > 0; i++) {
        const forged = validTx(1_000_000n + BigInt(i), 1n);
        await rogue.publishTx(new Tx(forged.publicOutputs, forged.proof.map(() => 1n))).catch(() => 0);
        await new Promise((r) => setTimeout(r, 100));
      }
      await waitFor('the rogue disconnected', async () => rogue.peerCount() === 0, 20_000, a.logs);
      assert.ok((await labelledMetric(a.port, 'quetzal_p2p_peers_disconnected_total', 'reason="score"')) >= 1);
      assert.match(a.logs(), /peer score below the threshold: disconnecting it/);
      await new Promise((r) => setTimeout(r, 3000));
      assert.equal(rogue.peerCount(), 0, 'the banned peer cannot reconnect');
      assert.equal(await metric(a.port, 'quetzal_p2p_peers'), peersBefore - 1);
      const gossiped = await labelledMetric(b.port, 'quetzal_p2p_gossip_messages_total', 'topic="/quetzal/tx/1",result="accepted"');
      await waitFor('B still takes the bot\'s txs from gossip', async () => (await labelledMetric(b.port, 'quetzal_p2p_gossip_messages_total', 'topic="/quetzal/tx/1",result="accepted"')) > gossiped, 20_000);
    } finally {
      await rogue.stop();
    }
  });

  it(`A's tx pool stays within its bounds under a flood of ${FLOOD} gossiped txs, evicting the lowest fees`, async () => {
    const flooder = await testPeer(p2pMultiaddr(a));
    try {
      // fees 1..FLOOD in a shuffled order, so evictions happen all along
      const txs = Array.from({ length: FLOOD }, (_, i) => validTx(2_000_000n + BigInt(i), BigInt(1 + ((i * 7919) % FLOOD)), 2));
      let maxPending = 0;
      let maxLagSeconds = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          maxPending = Math.max(maxPending, await metric(a.port, 'quetzal_tx_pool_pending_txs'));
          maxLagSeconds = Math.max(maxLagSeconds, await metric(a.port, 'quetzal_nodejs_eventloop_lag_max_seconds'));
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      const seen = () => Promise.all(['accepted', 'rejected', 'ignored'].map((r) => labelledMetric(a.port, 'quetzal_p2p_gossip_messages_total', `topic="/quetzal/tx/1",result="${r}"`)));
      const sum = async () => (await seen()).reduce((x, y) => x + y, 0);
      const before = await sum();
      const t0 = Date.now();
      for (const tx of txs) await flooder.publishTx(tx);
      const published = Date.now() - t0;
      // until A has judged every message; a stall of 30 s fails with the count
      for (let last = { judged: -1, at: Date.now() }; ; await new Promise((r) => setTimeout(r, 500))) {
        const judged = (await sum()) - before;
        if (judged >= FLOOD) break;
        if (judged !== last.judged) last = { judged, at: Date.now() };
        assert.ok(Date.now() - last.at < 30_000 && Date.now() - t0 < 240_000, `A judged ${judged} of ${FLOOD} flood messages in ${Date.now() - t0} ms\n${a.logs().slice(-3000)}`);
      }
      const judged = Date.now() - t0;
      sampling = false;
      await sampler;

      assert.ok(maxPending <= POOL_MAX_TXS, `pending txs peaked at ${maxPending}, the bound is ${POOL_MAX_TXS}`);
      assert.ok((await metric(a.port, 'quetzal_tx_pool_evicted_total')) > 0, 'the flood evicted pending txs');
      // the rule: lowest fee first, so the highest fees survive (mined or pending)
      const byFee = [...txs].sort((x, y) => Number(y.publicOutputs.transactionFee - x.publicOutputs.transactionFee));
      const node = createNodeClient(`http://127.0.0.1:${a.port}`);
      const top = await node.getTxsByHash(byFee.slice(0, POOL_MAX_TXS / 2).map((t) => t.hash()));
      assert.equal(top.filter((t) => !t).length, 0, 'every tx among the top fees is still held');
      const bottom = await node.getTxsByHash(byFee.slice(-POOL_MAX_TXS).map((t) => t.hash()));
      const mined = await metric(a.port, 'quetzal_sequencer_txs_included_total');
      assert.ok(bottom.filter(Boolean).length <= mined, 'the lowest fees were evicted or refused (only mined ones can remain)');
      const [accepted, rejected, ignored] = await seen();
      console.log(`flood: ${FLOOD} txs published in ${published} ms, judged by A in ${judged} ms (accepted ${accepted}, ignored ${ignored}, rejected ${rejected}); A's pending txs peaked at ${maxPending}/${POOL_MAX_TXS}; A's event-loop lag max ${(maxLagSeconds * 1000).toFixed(0)} ms`);
    } finally {
      await flooder.stop();
    }
  });
});
