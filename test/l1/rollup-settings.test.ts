// The verifier, VK tree root and sequencer set apply per epoch: a change scheduled in epoch E applies from
// epoch E + 2, so an epoch's proof is always checked with the values its epoch had, even when its claim is still
// open after the change. Windows: 4 slots per epoch, claim window 2, proof submission window 16 (an open claim on
// epoch N lasts until slot 4(N+1) + 16, past the change).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getAddress, parseEventLogs, type Address, type Hex } from 'viem';
import { linkBytecode, loadArtifact, mockVerifierAbi, rollupAbi } from '@quetzal/l1';
import { FIELD_MODULUS } from '@quetzal/protocol/hash/poseidon2';
import { accounts, claim, DEPLOYER, fieldHex, fundEscrow, proposeNext, rejectsWith, setExpectedPublicInputs, envPerFile, signQuote, type Env } from './harness.js';

let env: Env;
envPerFile((e) => (env = e), { proofSubmissionWindow: 16 });

const PROVER = 2;
const rollup = () => env.deployment.addresses.rollup;
const owner = (functionName: 'scheduleVkTreeRoot' | 'scheduleVerifier' | 'scheduleSequencers', arg: unknown, from = DEPLOYER) =>
  env.sender(from).sendContractTx({ address: rollup(), abi: rollupAbi, functionName, args: [arg] } as never);
const fromEpochOf = (r: Awaited<ReturnType<typeof owner>>, eventName: 'VkTreeRootScheduled' | 'VerifierScheduled' | 'SequencersScheduled') =>
  (parseEventLogs({ abi: rollupAbi, logs: r.receipt.logs, eventName })[0]!.args as { fromEpoch: bigint }).fromEpoch;

/** A second MockVerifier that refuses every proof (it expects public inputs no epoch has). */
async function refusingVerifier(): Promise<Address> {
  const a = loadArtifact('MockVerifier');
  const v = getAddress((await env.sender(DEPLOYER).deploy({ abi: a.abi, bytecode: linkBytecode(a, {}), label: 'deploy MockVerifier' })).address);
  await env.sender(DEPLOYER).sendContractTx({ address: v, abi: mockVerifierAbi, functionName: 'setExpectedPublicInputsHash', args: [fieldHex(1n)] });
  return v;
}

function proofArgs(epoch: bigint, prev: bigint, end: bigint) {
  return { epoch, previousArchive: fieldHex(prev), endArchive: fieldHex(end), proverId: accounts[PROVER]!.address };
}
const submit = (a: ReturnType<typeof proofArgs>) =>
  env.sender(3).sendContractTx({ address: rollup(), abi: rollupAbi, functionName: 'submitEpochRootProof', args: [a, '0x' as Hex] });

describe('scheduled settings', () => {
  it('a VK tree root and verifier change applies two epochs on; a claim open across it is proven with its epoch\'s values', async () => {
    const oldVerifier = env.deployment.addresses.verifier;
    await env.warpToSlot(1);
    const b1 = await proposeNext(env, 1);
    await fundEscrow(env, PROVER, 1000n);
    await env.warpToSlot(4);
    await claim(env, 1, await signQuote(env, PROVER, { epochToProve: 0n }));

    // scheduled in epoch 1, with epoch 0's claim open: both apply from epoch 3
    const newVerifier = await refusingVerifier();
    assert.equal(fromEpochOf(await owner('scheduleVkTreeRoot', fieldHex(0x5678n)), 'VkTreeRootScheduled'), 3n);
    assert.equal(fromEpochOf(await owner('scheduleVerifier', newVerifier), 'VerifierScheduled'), 3n);
    assert.equal(BigInt(await env.c.rollup.read.vkTreeRoot()), 0x1234n);
    assert.deepEqual((await env.c.rollup.read.getScheduledChanges()).slice(0, 4), [newVerifier, 3n, fieldHex(0x5678n), 3n]);
    for (const [epoch, root, verifier] of [[2n, 0x1234n, oldVerifier], [3n, 0x5678n, newVerifier]] as const) {
      assert.equal(BigInt(await env.c.rollup.read.getVkTreeRootAt([epoch])), root);
      assert.equal(await env.c.rollup.read.getVerifierAt([epoch]), verifier);
    }

    // epoch 3 has begun (the change applies now) while epoch 0's claim is still open (deadline slot 20): its proof
    // goes to the old verifier with the old root
    await env.warpToSlot(13);
    assert.equal(BigInt(await env.c.rollup.read.vkTreeRoot()), 0x5678n);
    const a0 = proofArgs(0n, 0xa0n, b1.archive);
    const pi0 = (await env.c.rollup.read.getEpochProofPublicInputs([a0])).map((x) => BigInt(x));
    assert.equal(pi0[2 + 3 * 16 + 1], 0x1234n);
    await setExpectedPublicInputs(env, pi0); // the old verifier accepts exactly these
    await submit(a0);
    assert.equal(await env.c.rollup.read.getProvenBlockNumber(), 1n);

    // epoch 3's proof: the new root, and the new verifier (which refuses)
    await env.warpToSlot(14);
    const b2 = await proposeNext(env, 1);
    await env.warpToSlot(16);
    await claim(env, 1, await signQuote(env, PROVER, { epochToProve: 3n }));
    const a3 = proofArgs(3n, b1.archive, b2.archive);
    assert.equal(BigInt((await env.c.rollup.read.getEpochProofPublicInputs([a3]))[2 + 3 * 16 + 1]!), 0x5678n);
    await setExpectedPublicInputs(env, null);
    await rejectsWith(submit(a3), 'InvalidProof');
  });

  it('one change per setting at a time: the next waits until no epoch under the previous value can be proven', async () => {
    await owner('scheduleVkTreeRoot', fieldHex(0x5678n)); // slot 0: from epoch 2, settled at slot 2 * 4 + 16 = 24
    assert.equal(BigInt(await env.c.rollup.read.getVkTreeRootAt([1n])), 0x1234n);
    await env.warpToSlot(23);
    assert.deepEqual(await rejectsWith(owner('scheduleVkTreeRoot', fieldHex(0x9999n)), 'ChangeAlreadyScheduled'), [2n, 24n]);
    await owner('scheduleVerifier', await refusingVerifier()); // other settings have their own schedule
    await env.warpToSlot(24);
    assert.equal(fromEpochOf(await owner('scheduleVkTreeRoot', fieldHex(0x9999n)), 'VkTreeRootScheduled'), 8n);
    // epochs before 2 can no longer be proven: only 2 on matter
    for (const [epoch, root] of [[2n, 0x5678n], [7n, 0x5678n], [8n, 0x9999n]] as const) {
      assert.equal(BigInt(await env.c.rollup.read.getVkTreeRootAt([epoch])), root, `epoch ${epoch}`);
    }
  });

  it('only the owner schedules; a zero verifier or a root outside the field is refused', async () => {
    await rejectsWith(owner('scheduleVkTreeRoot', fieldHex(1n), 1), 'NotOwner');
    await rejectsWith(owner('scheduleVerifier', accounts[1]!.address, 1), 'NotOwner');
    await rejectsWith(owner('scheduleSequencers', [accounts[1]!.address], 1), 'NotOwner');
    await rejectsWith(owner('scheduleVerifier', '0x0000000000000000000000000000000000000000'), 'ZeroVerifier');
    assert.deepEqual(await rejectsWith(owner('scheduleVkTreeRoot', fieldHex(FIELD_MODULUS)), 'FieldOutOfRange'), [FIELD_MODULUS]);
  });
});
