// Fault injection by load: a cold start, a flood of 10,000 signed quotes, 50 MB bodies and
// 1,000-call batches against one node running every role (simulated proofs). Each load is applied
// for real; the node must answer correctly and keep its event loop moving. The largest event-loop
// lag the node reports (quetzal_nodejs_eventloop_lag_max_seconds, reset at each scrape) is measured
// per load and printed; the bound asserted is far above the goal of 200 ms (a shared 2-core machine
// is noisy) and far below the seconds-long stalls it guards against. A stress file (run alone): beside
// another test file on 2 cores, the lag measured is mostly the neighbour's CPU, not the load's.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { readDeploymentFile } from '@quetzal/l1';
import { epochProofQuoteDigest, signedQuoteToJson, type SignedEpochProofQuote } from '@quetzal/protocol/quote';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { maxLagMs } from './helpers.js';
import { join } from 'node:path';

const TOKEN = 'load-test-broker-token-0123456789';
const STALL_MS = 1000;
const MB = 1024 * 1024;
const lags: Record<string, number> = {};

describe('loads on one node', () => {
  let node: RunningCli;
  let url: string;
  let quotes: SignedEpochProofQuote[];

  before(async () => {
    // Prove-ahead (on in the local preset) re-executes every block on the main thread as it lands:
    // its lag is its own (issue 15), not a load's, and would make the figures below unattributable.
    const env = isolatedEnv({ PROVER_NODE_PROVE_AHEAD: 'false' });
    node = await startCli(
      [
        '--local-network', '--port', '0', '--local-network.anvil-port', '0', '--local-network.slot-duration', '4', '--local-network.epoch-duration', '16',
        '--sequencer', '--bot', '--bot.tx-interval-ms', '1000', '--archiver', '--prover-broker', '--prover-broker.auth-token', TOKEN, '--prover-node', '--prover-agent',
      ],
      env,
      120_000,
    );
    url = `http://127.0.0.1:${node.port}`;
    lags['cold start'] = await maxLagMs(node.port);
    quotes = signQuotes(readDeploymentFile(join(env.DATA_DIRECTORY!, 'local-network', 'l1-deployment.json')));
  });
  after(async () => {
    await node?.stop();
    console.log(`max event-loop lag per load (ms): ${JSON.stringify(lags)}`);
  });

  async function measured(load: string, run: () => Promise<void>): Promise<void> {
    await maxLagMs(node.port);
    await run();
    lags[load] = await maxLagMs(node.port);
    assert.ok(lags[load]! < STALL_MS, `${load}: the event loop stalled ${lags[load]} ms`);
  }

  it('starts without stalling', () => {
    assert.ok(lags['cold start']! < STALL_MS, `cold start: the event loop stalled ${lags['cold start']} ms`);
  });

  it('takes a flood of 10,000 signed quotes', async () => {
    await measured('10,000 signed quotes', async () => {
      let answered = 0;
      let next = 0;
      // 1,000 provers, each quoting 10 times, 64 requests in flight
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < 10_000) {
            const q = quotes[next++ % quotes.length]!;
            const r = await rpc(url, 'node_submitEpochProofQuote', [signedQuoteToJson(q)]);
            assert.ok('result' in r || r.error.code === -32010, JSON.stringify(r).slice(0, 300));
            answered++;
          }
        }),
      );
      assert.equal(answered, 10_000);
    });
  });

  it('answers 1,000-call batches', async () => {
    await measured('1,000-call batch', async () => {
      const batch = quotes.map((q, i) => ({ jsonrpc: '2.0', id: i, method: 'node_submitEpochProofQuote', params: [signedQuoteToJson(q)] }));
      const replies = (await post(url, JSON.stringify(batch))) as unknown[];
      assert.equal(replies.length, 1000);
    });
  });

  it('takes 50 MB bodies', async () => {
    await measured('50 MB bodies', async () => {
      const inputs = Buffer.alloc(24 * MB, 7);
      const id = `3:base:${createHash('sha256').update(inputs).digest('hex')}`;
      const enqueue = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'proverBroker_enqueueProvingJob', params: [{ id, type: 'base', epoch: 3, inputs: `0x${inputs.toString('hex')}` }] });
      const unknown = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'x'.repeat(50 * MB), params: [] });
      const [queued, refused, anonymous] = await Promise.all([
        post(url, enqueue, TOKEN),
        post(url, unknown, TOKEN),
        post(url, unknown).catch(() => ({ error: { code: -32002 } })),
      ]);
      assert.ok((queued as { result?: unknown }).result, JSON.stringify(queued).slice(0, 300));
      assert.equal((refused as { error: { code: number } }).error.code, -32600);
      assert.equal((anonymous as { error: { code: number } }).error.code, -32002, 'a caller without the token may not send 50 MB');
    });
  });
});

/** 1,000 quotes for the current epoch by 1,000 fresh keys (signed with noble: viem's signer is several times slower). */
function signQuotes(deployment: ReturnType<typeof readDeploymentFile>): SignedEpochProofQuote[] {
  const domain = { chainId: deployment.chainId, rollup: deployment.addresses.rollup };
  const slot = (BigInt(Math.floor(Date.now() / 1000)) - deployment.genesisTime) / BigInt(deployment.params.slotDuration);
  const epoch = slot / BigInt(deployment.params.epochDuration);
  return Array.from({ length: 1000 }, (_, i) => {
    const key = secp256k1.utils.randomSecretKey();
    const quote = { epochToProve: epoch, validUntilSlot: slot + 1000n, bondAmount: deployment.params.minimumBond, prover: privateKeyToAddress(bytesToHex(key)), basisPointFee: i % 500 };
    const sig = secp256k1.sign(hexToBytes(epochProofQuoteDigest(quote, domain)), key, { prehash: false, format: 'recovered' });
    // noble: recovery byte first; Ethereum: r || s || v (27 + recovery)
    return { quote, signature: bytesToHex(new Uint8Array([...sig.subarray(1), 27 + sig[0]!])) };
  });
}

async function rpc(url: string, method: string, params: unknown[]): Promise<{ result?: unknown; error: { code: number; message: string } }> {
  return (await post(url, JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))) as never;
}

async function post(url: string, body: string, token?: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) } });
  return res.json();
}
