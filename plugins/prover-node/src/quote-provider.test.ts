import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FixedQuoteProvider, HttpQuoteProvider } from './quote-provider.js';

test('the HTTP quote provider asks per epoch and validates the answer', async () => {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    seen.push(u.search);
    const epoch = u.searchParams.get('epoch');
    if (epoch === '1') res.end(JSON.stringify({ basisPointFee: 250, bondAmount: '5000000000000000000000' }));
    else if (epoch === '2') res.writeHead(204).end();
    else res.end(JSON.stringify({ basisPointFee: 20_000, bondAmount: 1 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/quote`;
  try {
    const p = new HttpQuoteProvider(url);
    assert.deepEqual(await p.getQuote(1, { blocks: 3, txs: 9 }), { basisPointFee: 250, bondAmount: 5000n * 10n ** 18n });
    assert.equal(seen[0], '?epoch=1&blocks=3&txs=9');
    assert.equal(await p.getQuote(2, { blocks: 1, txs: 1 }), undefined, '204: skip the epoch');
    await assert.rejects(p.getQuote(3, { blocks: 1, txs: 1 }), /answered \{"basisPointFee":20000,"bondAmount":1\} for epoch 3; expected \{"basisPointFee": 0\.\.10000/);
  } finally {
    server.close();
  }
  assert.throws(() => new FixedQuoteProvider({ basisPointFee: 10_001, bondAmount: 1n }), /basis point fee must be 0\.\.10000/);
});
