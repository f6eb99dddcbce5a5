import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { signEpochProofQuote } from '@quetzal/protocol/quote';
import { QuoteBook, QuoteRejectedError } from './quote-book.js';

const domain = { chainId: 31337, rollup: '0x5FbDB2315678afecb367f032d93F642f64180aa3' } as const;
// slot 10 of 8-slot epochs: epoch 1 is claimable; every prover's escrow covers the bond
const chain = { domain, epochDuration: 8n, minimumBond: 50n, currentSlot: async () => 10n, escrowDeposit: async () => 10_000n };
const account = () => privateKeyToAccount(generatePrivateKey());

function quote(signer: ReturnType<typeof account>, basisPointFee: number, bondAmount = 100n) {
  return signEpochProofQuote(signer, { epochToProve: 1n, validUntilSlot: 20n, bondAmount, prover: signer.address, basisPointFee }, domain);
}

test('one quote per prover: a newer one replaces the older, candidates come best first', async () => {
  const book = new QuoteBook(chain);
  const [a, b] = [account(), account()];
  await book.add(await quote(a, 500));
  await book.add(await quote(b, 300));
  await book.add(await quote(a, 200));
  assert.equal(book.count(1), 2);
  assert.deepEqual(book.candidates(1, 10n).map((q) => [q.quote.prover, q.quote.basisPointFee]), [[a.address, 200], [b.address, 300]]);
  book.remove(book.candidates(1, 10n)[0]!);
  assert.deepEqual(book.candidates(1, 10n).map((q) => q.quote.prover), [b.address]);
});

test('an epoch holds a bounded number of quotes: a better one evicts the worst, a worse one is refused', async () => {
  const book = new QuoteBook(chain, 3);
  for (const fee of [100, 200, 300]) await book.add(await quote(account(), fee));
  await assert.rejects(book.add(await quote(account(), 300)), (e: Error) => e instanceof QuoteRejectedError && /already holds 3 better or equal quotes/.test(e.message));
  // the same fee with a higher bond is better
  await book.add(await quote(account(), 300, 1000n));
  await book.add(await quote(account(), 50));
  assert.equal(book.count(1), 3);
  assert.deepEqual(book.candidates(1, 10n).map((q) => q.quote.basisPointFee), [50, 100, 200]);
});
