// Tx admission under native proofs: a sequencer whose TxProofVerifier is the TypeScript UltraHonk
// verifier (dev CRS) refuses a forged client proof at node_sendTx with an error naming the proof,
// and accepts the real one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { NativeTxProofVerifier, crsG2, placeholderProof, tamperedProofs, type NativeCircuitProver } from '@quetzal/circuit-prover';
import { RpcRemoteError } from '@quetzal/kernel/jsonrpc/errors';
import { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { devAccountSecret, devGenesis } from '@quetzal/protocol/genesis';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { buildTxCircuitInputs, Tx } from '@quetzal/protocol/tx';
import { CHAIN_ID, startSequencer, type SequencerHarness } from '../sequencer/harness.js';
import { devProver } from './native.js';

const MIN = 60_000;
let prover: NativeCircuitProver;
let txProofs: NativeTxProofVerifier;
let h: SequencerHarness;

before(async () => {
  prover = await devProver();
  txProofs = new NativeTxProofVerifier({ vk: async () => (await prover.getVerificationKey('tx')).fields, g2: await crsG2(prover.crs, pino({ level: 'silent' })), workers: 1, logger: pino({ level: 'silent' }) });
  // The VK tree only matters to the Rollup's root proof check, which this test never reaches.
  h = await startSequencer({ genesis: devGenesis(2), vkTreeRoot: VkTree.simulated().root, proofs: txProofs });
}, { timeout: 20 * MIN });

after(async () => {
  await h?.close();
  await txProofs?.stop();
  await prover?.stop();
});

async function refusal(tx: Tx): Promise<RpcRemoteError> {
  const err = await h.remote.sendTx(tx).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RpcRemoteError, `expected a JSON-RPC error, got ${String(err)}`);
  return err;
}

test('a native-proof sequencer refuses forged client proofs, naming the proof, and accepts the real one', { timeout: 20 * MIN }, async () => {
  const proven = await prover.proveTx(buildTxCircuitInputs({ secret: devAccountSecret(0), nonce: 1n, chainId: CHAIN_ID, version: 1n, transactionFee: 10n, noteHashes: [4n] }));
  const real = new Tx(proven.publicOutputs, proven.proof);
  let seed = 7n;
  const forgeries = {
    // what the issue reported: a proof of random fields (a zero-fee tx's would be refused the same way)
    'random fields': Array.from({ length: proven.proof.length }, () => (seed = (seed * 6364136223846793005n + 1442695040888963407n) % FIELD_MODULUS)),
    'the simulated placeholder': placeholderProof(),
    // every check but the final pairing passes: only a real verifier catches it
    'a moved KZG quotient': tamperedProofs(proven.proof).find((t) => t.what === 'kzgQuotient[0]')!.proof,
  };
  for (const [what, proof] of Object.entries(forgeries)) {
    const err = await refusal(new Tx(proven.publicOutputs, proof));
    assert.deepEqual(err.data, { field: 'proof' }, what);
    assert.match(err.message, /rejected \(field proof\): client proof does not verify \(native proofs\)/, what);
  }
  assert.equal(await h.remote.getPendingTxCount(), 0, 'no forged tx entered the pool');
  assert.equal(await h.remote.sendTx(real), real.hash());
  assert.equal(await h.remote.getPendingTxCount(), 1);
});
