// Tx pool bounds under a flood (a stress suite, `npm run test:stress`: it keeps both cores busy for a
// while, so it does not run beside the other e2e files). A sequencer node (A) with a 1,000-tx pool; a
// peer run by the test gossips 10,000 valid txs with shuffled fees. A's pending txs never pass the
// bound, the lowest fees are evicted (the highest ones all stay), and A's event-loop lag is reported.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNodeClient } from '@quetzal/protocol/node-api';
import type { RunningCli } from '../helpers/cli.js';
import { labelledMetric, metric, p2pMultiaddr } from './helpers.js';
import { startSequencerNode, testPeer, validTx } from './p2p-helpers.js';

const POOL_MAX_TXS = 1000;
const FLOOD = 10_000;
let a: RunningCli;

before(async () => {
  ({ cli: a } = await startSequencerNode(['--tx-pool.max-txs', String(POOL_MAX_TXS)]));
});
after(async () => {
  await a?.stop();
});

test(`A's tx pool stays within its bounds under a flood of ${FLOOD} gossiped txs, evicting the lowest fees`, async () => {
  const flooder = await testPeer(p2pMultiaddr(a));
  try {
    // fees 1..FLOOD in a shuffled order, so evictions happen all along
    const txs = Array.from({ length: FLOOD }, (_, i) => validTx(2_000_000n + BigInt(i), BigInt(1 + ((i * 7919) % FLOOD)), 2));
    let maxPending = 0;
    let maxLagSeconds = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        maxPending = Math.max(maxPending, await metric(a.port, 'quetzal_tx_pool_pending_txs').catch(() => 0));
        maxLagSeconds = Math.max(maxLagSeconds, await metric(a.port, 'quetzal_nodejs_eventloop_lag_max_seconds').catch(() => 0));
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
      assert.ok(Date.now() - last.at < 30_000 && Date.now() - t0 < 300_000, `A judged ${judged} of ${FLOOD} flood messages in ${Date.now() - t0} ms\n${a.logs().slice(-3000)}`);
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
