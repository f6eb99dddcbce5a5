// P2P with real processes on loopback (simulated proofs, 3 s slots): (A) anvil + sequencer + archiver,
// (C) a bot sending txs to A over JSON-RPC, (B) prover node + broker + agent + archiver joined to A
// only through --p2p.bootstrap-nodes (no node URL, no tx-provider URL), started after A mined txs.
// B learns txs from gossip and fetches the ones mined before it joined by request-response; its
// quotes reach A only over gossip; two epochs are proven on L1 by B. Then a peer gossiping invalid
// txs is disconnected while the honest ones keep gossiping. (The 10k-tx flood: p2p-flood.stress.test.ts.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getAddress } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { ANVIL_DEFAULT_PRIVATE_KEYS } from '@quetzal/l1';
import { createArchiverClient } from '@quetzal/archiver';
import { Tx } from '@quetzal/protocol/tx';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { labelledMetric, localNetworkInfo, metric, p2pMultiaddr, proverNodeClient, waitFor } from './helpers.js';
import { P2P, startSequencerNode, testPeer, validTx } from './p2p-helpers.js';

const PROVER_ADDRESS = privateKeyToAccount(ANVIL_DEFAULT_PRIVATE_KEYS[2]!).address;
describe('P2P between processes', () => {
  const running: RunningCli[] = [];
  let a: RunningCli, b: RunningCli;
  let aEnv: NodeJS.ProcessEnv;

  before(async () => {
    ({ cli: a, env: aEnv } = await startSequencerNode());
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
});
