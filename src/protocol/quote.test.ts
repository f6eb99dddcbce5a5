import { test } from 'node:test';
import assert from 'node:assert/strict';
import { privateKeyToAccount } from 'viem/accounts';
import { signEpochProofQuote, recoverQuoteSigner, epochProofQuoteDigest, signedQuoteToJson, signedQuoteFromJson, validateQuote, type EpochProofQuote } from './quote.js';

const account = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d');
const domain = { chainId: 31337, rollup: '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const };
const quote: EpochProofQuote = { epochToProve: 3n, validUntilSlot: 40n, bondAmount: 10n ** 18n, prover: account.address, basisPointFee: 250 };

test('sign and recover an EpochProofQuote', async () => {
  const signed = await signEpochProofQuote(account, quote, domain);
  assert.equal(await recoverQuoteSigner(signed, domain), account.address);
  // another domain (rollup address) recovers someone else
  assert.notEqual(await recoverQuoteSigner(signed, { ...domain, rollup: '0x0000000000000000000000000000000000000001' }), account.address);
  // a changed field recovers someone else
  assert.notEqual(await recoverQuoteSigner({ ...signed, quote: { ...quote, basisPointFee: 251 } }, domain), account.address);
  assert.match(epochProofQuoteDigest(quote, domain), /^0x[0-9a-f]{64}$/);
});

test('JSON round trip and validation', async () => {
  const signed = await signEpochProofQuote(account, quote, domain);
  const back = signedQuoteFromJson(JSON.parse(JSON.stringify(signedQuoteToJson(signed))));
  assert.deepEqual(back, signed);
  assert.throws(() => validateQuote({ ...quote, basisPointFee: 10_001 }), RangeError);
  await assert.rejects(signEpochProofQuote(account, { ...quote, prover: '0x0000000000000000000000000000000000000002' }, domain), /signer/);
});
