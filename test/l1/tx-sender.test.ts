import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { parseEther } from 'viem';
import { anvilRpc, compileSolidity, L1TxSender, L1TxRevertedError, L1TxTimeoutError, rollupAbi, quetzalTokenAbi, scrubSecret, decodeRevertData, type L1Logger } from '@quetzal/l1';
import { accounts, KEYS, setup, type Env } from './harness.js';

let env: Env;
before(async () => {
  env = await setup();
});
after(async () => env?.stop());

function recordingLogger() {
  const lines: { level: string; msg?: string; obj: object }[] = [];
  const l: L1Logger = {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
  };
  return { l, lines };
}

const approve = (s: L1TxSender, amount: bigint) =>
  s.sendContractTx({ address: env.deployment.addresses.token, abi: quetzalTokenAbi, functionName: 'approve', args: [accounts[9]!.address, amount] });

describe('L1TxSender', () => {
  it('decodes custom errors (name and named args) before sending, and after mining', async () => {
    const s = new L1TxSender({ rpcUrls: env.anvil.url, privateKey: KEYS[6] });
    await assert.rejects(
      s.sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'prune', args: [] }),
      (e: unknown) => e instanceof L1TxRevertedError && e.errorName === 'NothingToPrune' && /prune would revert: NothingToPrune\(\)/.test(e.message),
    );
    // bubbled up from the token through the escrow: still decoded
    await assert.rejects(
      s.sendContractTx({ address: env.deployment.addresses.escrow, abi: env.c.escrow.abi, functionName: 'deposit', args: [5n] }),
      (e: unknown) => e instanceof L1TxRevertedError && e.errorName === 'InsufficientAllowance' && /needed: 5/.test(e.message),
    );
    // mined and reverted (no dry run): the receipt's failure is replayed and decoded
    await assert.rejects(
      s.sendContractTx({ address: env.deployment.addresses.rollup, abi: rollupAbi, functionName: 'prune', args: [], skipSimulation: true, gas: 100_000n }),
      (e: unknown) => e instanceof L1TxRevertedError && e.errorName === 'NothingToPrune' && e.txHash !== undefined && /reverted in tx 0x/.test(e.message),
    );
    assert.equal(decodeRevertData('0x12345678'), undefined);
  });

  it('re-broadcasts a stuck tx with the same nonce and higher fees', async () => {
    const { l, lines } = recordingLogger();
    const s = new L1TxSender({ rpcUrls: env.anvil.url, privateKey: KEYS[7], stuckTimeoutMs: 200, pollIntervalMs: 25, logger: l, feeBumpPercent: 25 });
    await anvilRpc.setAutomine(env.anvil.url, false);
    try {
      const p = approve(s, 1n);
      const t0 = Date.now();
      while (lines.filter((x) => x.msg?.includes('re-broadcast')).length < 2) {
        assert.ok(Date.now() - t0 < 10_000, 'no re-broadcast seen');
        await new Promise((r) => setTimeout(r, 25));
      }
      await anvilRpc.mine(env.anvil.url);
      const sent = await p;
      assert.ok(sent.bumps >= 2);
      assert.equal(sent.receipt.transactionHash, sent.hashes[sent.hashes.length - 1]);
      const txs = await Promise.all(sent.hashes.slice(0, 2).map((hash) => env.client.getTransaction({ hash }).catch(() => undefined)));
      const mined = await env.client.getTransaction({ hash: sent.receipt.transactionHash });
      const first = lines.find((x) => x.msg === 'L1 tx sent')!.obj as { maxFeePerGas: string; nonce: number };
      assert.equal(mined.nonce, first.nonce);
      assert.ok(mined.maxFeePerGas! >= (BigInt(first.maxFeePerGas) * 125n * 125n) / 10000n, `fees bumped twice by 25%: ${mined.maxFeePerGas} vs ${first.maxFeePerGas}`);
      void txs;
      const next = await env.client.getTransactionCount({ address: s.address });
      assert.equal(next, first.nonce + 1);
    } finally {
      await anvilRpc.setAutomine(env.anvil.url, true);
    }
  });

  it('times out waiting for a receipt, then resyncs its nonce', async () => {
    const s = new L1TxSender({ rpcUrls: env.anvil.url, privateKey: KEYS[8], stuckTimeoutMs: 60_000, receiptTimeoutMs: 300, pollIntervalMs: 25 });
    await anvilRpc.setAutomine(env.anvil.url, false);
    try {
      await assert.rejects(approve(s, 2n), (e: unknown) => e instanceof L1TxTimeoutError && e.txHashes.length === 1 && /no receipt after 300 ms/.test(e.message));
    } finally {
      await anvilRpc.setAutomine(env.anvil.url, true);
      await anvilRpc.mine(env.anvil.url);
    }
    // the pending tx got mined; the next send picks the next nonce
    const r = await approve(s, 3n);
    assert.equal(r.receipt.status, 'success');
  });

  it('tracks nonces locally for concurrent sends and resyncs when another process used the key', async () => {
    const s = new L1TxSender({ rpcUrls: env.anvil.url, privateKey: KEYS[1] });
    const results = await Promise.all([1n, 2n, 3n, 4n, 5n].map((n) => approve(s, n)));
    const nonces = await Promise.all(results.map(async (r) => (await env.client.getTransaction({ hash: r.receipt.transactionHash })).nonce));
    assert.equal(new Set(nonces).size, 5);
    // another sender with the same key moves the nonce behind our back
    const other = new L1TxSender({ rpcUrls: env.anvil.url, privateKey: KEYS[1] });
    await approve(other, 6n);
    await approve(other, 7n);
    const r = await approve(s, 8n); // "nonce too low" -> resync -> retry
    assert.equal(r.receipt.status, 'success');
  });

  it('decodes errors of other contracts once their ABI is registered', async () => {
    const out = compileSolidity({ 'X.sol': '// SPDX-License-Identifier: MIT\npragma solidity ^0.8.27;\ncontract X { error SumcheckFailed(uint256 round); function go() external pure { revert SumcheckFailed(5); } }' });
    const x = out.X!;
    const s = new L1TxSender({ rpcUrls: env.anvil.url, privateKey: KEYS[4] });
    const { address } = await s.deploy({ abi: x.abi, bytecode: `0x${x.bytecode}` });
    const data = '0x0f59f83a' as const; // go()
    await assert.rejects(s.send({ to: address, data, label: 'X.go' }), (e: unknown) => e instanceof L1TxRevertedError && e.revert === undefined && /X.go would revert/.test((e as Error).message));
    s.registerErrors(x.abi);
    await assert.rejects(s.send({ to: address, data, label: 'X.go' }), (e: unknown) => e instanceof L1TxRevertedError && /SumcheckFailed\(round: 5\)/.test((e as Error).message));
  });

  it('never shows the private key', async () => {
    const key = KEYS[5];
    const s = new L1TxSender({ rpcUrls: env.anvil.url, privateKey: key });
    assert.ok(!inspect(s, { depth: 10 }).includes(key.slice(2)));
    assert.ok(!JSON.stringify(s).includes(key.slice(2)));
    assert.throws(() => new L1TxSender({ rpcUrls: env.anvil.url, privateKey: '0x1234' }), (e: Error) => !e.message.includes('1234'));
    assert.equal(scrubSecret(`oops ${key} and ${key.slice(2).toUpperCase()}`, key), 'oops [REDACTED] and [REDACTED]');
    // errors from a failing RPC carry no key
    const dead = new L1TxSender({ rpcUrls: 'http://127.0.0.1:1', privateKey: key, receiptTimeoutMs: 500 });
    await assert.rejects(approve(dead, 1n), (e: Error) => !e.message.toLowerCase().includes(key.slice(2).toLowerCase()));
    // value transfer without data works too
    const r = await s.send({ to: accounts[9]!.address, data: '0x', value: parseEther('0.001'), label: 'transfer' });
    assert.equal(r.receipt.status, 'success');
  });
});
