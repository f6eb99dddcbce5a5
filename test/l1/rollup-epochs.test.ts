// Claims, epoch proofs, rewards, bonds and pruning. Windows: 4 slots per epoch, claim window 2 slots, proof
// submission window 6 slots (epoch N's proof is due before slot 4(N+1) + 6).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getAddress, parseEventLogs, type Hex } from 'viem';
import { rollupAbi, proofCommitmentEscrowAbi } from '@quetzal/l1';
import { epochProofQuoteTypedData } from '@quetzal/protocol/quote';
import { RootRollupPublicInputs, computeEpochOutHash } from '@quetzal/protocol/root-public-inputs';
import { addressToField } from '@quetzal/protocol/block';
import {
  accounts, claim, DEPLOYER, effect, fieldHex, fundEscrow, proposeNext, rejectsWith, setExpectedPublicInputs, envPerFile, signQuote, type BuiltBlock, type Env,
} from './harness.js';

let env: Env;
envPerFile((e) => (env = e));

const PROVER = 2;
const rollup = () => env.deployment.addresses.rollup;

/** Blocks in slots 1, 2, 3 (epoch 0), coinbases accounts 5, 6, 7, fees 5, 10, 15. */
async function epoch0(): Promise<BuiltBlock[]> {
  const blocks: BuiltBlock[] = [];
  for (let s = 1; s <= 3; s++) {
    await env.warpToSlot(s);
    const txs = Array.from({ length: s }, (_, i) => effect(BigInt(s * 10 + i), [BigInt(s * 100 + i)]));
    blocks.push(await proposeNext(env, 1, { txs, coinbase: accounts[4 + s]!.address }));
  }
  return blocks;
}

function args(epoch: bigint, prev: bigint, end: bigint, prover = accounts[PROVER]!.address) {
  return { epoch, previousArchive: fieldHex(prev), endArchive: fieldHex(end), proverId: prover };
}

async function submit(a: ReturnType<typeof args>, from = 3, proof: Hex = '0x') {
  return env.sender(from).sendContractTx({ address: rollup(), abi: rollupAbi, functionName: 'submitEpochRootProof', args: [a, proof] });
}

async function claimEpoch0(bondAmount = 100n, basisPointFee = 2000) {
  await fundEscrow(env, PROVER, 1000n);
  await env.warpToSlot(4);
  const q = await signQuote(env, PROVER, { epochToProve: 0n, bondAmount, basisPointFee });
  return claim(env, 1, q);
}

describe('claimEpochProofRight', () => {
  it('stakes the bond and records the claim', async () => {
    await epoch0();
    await fundEscrow(env, PROVER, 1000n);
    await env.warpToSlot(4);
    const q = await signQuote(env, PROVER, { epochToProve: 0n, bondAmount: 300n, basisPointFee: 2500 });
    assert.equal(
      await env.c.rollup.read.quoteDigest([q.quote]),
      (await import('@quetzal/protocol/quote')).epochProofQuoteDigest(q.quote, { chainId: 31337, rollup: rollup() }),
    );
    const r = await claim(env, 1, q);
    console.log(`# gas: claimEpochProofRight = ${r.receipt.gasUsed}`);
    const [ev] = parseEventLogs({ abi: rollupAbi, logs: r.receipt.logs, eventName: 'ProofRightClaimed' });
    assert.equal(ev!.args.epoch, 0n);
    assert.equal(ev!.args.prover, accounts[PROVER]!.address);
    assert.equal(ev!.args.proposer, accounts[1]!.address);
    assert.equal(ev!.args.bondAmount, 300n);
    const c = await env.c.rollup.read.getClaim([0n]);
    assert.equal(c.status, 1); // Active
    assert.equal(c.basisPointFee, 2500);
    assert.equal(await env.c.escrow.read.deposits([accounts[PROVER]!.address]), 700n);
    assert.equal(await env.c.escrow.read.staked([accounts[PROVER]!.address]), 300n);
    // one claim per epoch
    const q2 = await signQuote(env, 3, { epochToProve: 0n });
    await fundEscrow(env, 3, 1000n);
    const [epoch, holder] = await rejectsWith(claim(env, 1, q2), 'EpochAlreadyClaimed');
    assert.equal(epoch, 0n);
    assert.equal(holder, accounts[PROVER]!.address);
  });

  it('refuses a bad signature', async () => {
    await epoch0();
    await fundEscrow(env, PROVER, 1000n);
    await env.warpToSlot(4);
    const q = await signQuote(env, PROVER, { epochToProve: 0n });
    // signed by someone else
    const forged = await accounts[3]!.signTypedData(epochProofQuoteTypedData(q.quote, { chainId: 31337, rollup: rollup() }));
    const [expected, recovered] = await rejectsWith(claim(env, 1, { ...q, signature: forged }), 'InvalidQuoteSignature');
    assert.equal(expected, accounts[PROVER]!.address);
    assert.equal(recovered, accounts[3]!.address);
    // a field changed after signing
    await rejectsWith(claim(env, 1, { ...q, quote: { ...q.quote, bondAmount: 101n } }), 'InvalidQuoteSignature');
    // signed for another rollup (domain)
    const other = await accounts[PROVER]!.signTypedData(epochProofQuoteTypedData(q.quote, { chainId: 31337, rollup: '0x0000000000000000000000000000000000000001' }));
    await rejectsWith(claim(env, 1, { ...q, signature: other }), 'InvalidQuoteSignature');
    // malformed
    await rejectsWith(claim(env, 1, { ...q, signature: '0x1234' }), 'InvalidQuoteSignature');
  });

  it('refuses an expired quote, a fee above 10000 bps, a bond below the minimum or not funded', async () => {
    await epoch0();
    await fundEscrow(env, PROVER, 150n);
    await env.warpToSlot(4);
    const [until, now] = await rejectsWith(claim(env, 1, await signQuote(env, PROVER, { epochToProve: 0n, validUntilSlot: 3n })), 'QuoteExpired');
    assert.deepEqual([until, now], [3n, 4n]);
    // the quote library refuses to sign a fee above 10000, so sign the typed data directly
    const high = { epochToProve: 0n, validUntilSlot: 100n, bondAmount: 100n, prover: accounts[PROVER]!.address, basisPointFee: 10_001 };
    const sig = await accounts[PROVER]!.signTypedData(epochProofQuoteTypedData(high, { chainId: 31337, rollup: rollup() }));
    await rejectsWith(claim(env, 1, { quote: high, signature: sig }), 'FeeTooHigh');
    const [bond, min] = await rejectsWith(claim(env, 1, await signQuote(env, PROVER, { epochToProve: 0n, bondAmount: 99n })), 'BondTooLow');
    assert.deepEqual([bond, min], [99n, 100n]);
    const [who, available, required] = await rejectsWith(claim(env, 1, await signQuote(env, PROVER, { epochToProve: 0n, bondAmount: 151n })), 'BondNotFunded');
    assert.deepEqual([who, available, required], [accounts[PROVER]!.address, 150n, 151n]);
    // exactly 10000 bps and the whole deposit are fine
    await claim(env, 1, await signQuote(env, PROVER, { epochToProve: 0n, bondAmount: 150n, basisPointFee: 10_000 }));
  });

  it('refuses claims outside the claim window, for the wrong epoch, with nothing to prove, or by a non-proposer', async () => {
    await epoch0();
    await fundEscrow(env, PROVER, 1000n);
    const q0 = await signQuote(env, PROVER, { epochToProve: 0n });
    await rejectsWith(claim(env, 1, q0), 'NotClaimableEpoch'); // still epoch 0
    await env.warpToSlot(4);
    await rejectsWith(claim(env, 1, await signQuote(env, PROVER, { epochToProve: 1n })), 'NotClaimableEpoch');
    const id = await env.snapshot();
    await env.warpToSlot(6); // slot 2 of epoch 1: the window (2 slots) is over
    const [slotInEpoch, window] = await rejectsWith(claim(env, 1, q0), 'NotInClaimWindow');
    assert.deepEqual([slotInEpoch, window], [2n, 2n]);
    await env.revert(id);
    // epoch 1 has no blocks: at slot 8 there is nothing to claim
    await env.warpToSlot(5);
    await claim(env, 1, q0);
    await env.warpToSlot(8);
    await rejectsWith(claim(env, 1, await signQuote(env, PROVER, { epochToProve: 1n })), 'NothingToProve');
  });

  it('only the current proposer may claim when a sequencer set is configured', async () => {
    // the set applies from epoch 2: epoch 1's blocks come in open mode, its claim (in epoch 2) is the proposer's
    await env.sender(DEPLOYER).sendContractTx({ address: rollup(), abi: rollupAbi, functionName: 'scheduleSequencers', args: [[accounts[1]!.address, accounts[3]!.address]] });
    await env.warpToSlot(5);
    await proposeNext(env, 2);
    await fundEscrow(env, PROVER, 1000n);
    await env.warpToSlot(8); // proposer = sequencers[8 % 2] = accounts[1]
    const q = await signQuote(env, PROVER, { epochToProve: 1n });
    await rejectsWith(claim(env, 3, q), 'NotProposer');
    await claim(env, 1, q);
  });
});

describe('submitEpochRootProof', () => {
  it('rebuilds the public inputs from storage, pays rewards by basis points and releases the bond', async () => {
    const blocks = await epoch0();
    await claimEpoch0(100n, 2000);
    const a = args(0n, 0xa0n, blocks[2]!.archive);
    const pi = await env.c.rollup.read.getEpochProofPublicInputs([a]);
    const expected = new RootRollupPublicInputs(
      0xa0n,
      blocks[2]!.archive,
      blocks.map((b) => b.header.hash()),
      blocks.map((b) => ({ recipient: b.header.globalVariables.coinbase, value: b.header.totalFees })),
      computeEpochOutHash(blocks.map((b) => b.body.outHash())),
      0x1234n,
      addressToField(accounts[PROVER]!.address),
      31337n,
      1n,
    );
    assert.deepEqual(pi.map((x) => BigInt(x)), expected.toFields());

    // the verifier gets exactly this array
    await setExpectedPublicInputs(env, expected.toFields());
    const balances = async () => Promise.all([PROVER, 5, 6, 7].map((i) => env.c.token.read.balanceOf([accounts[i]!.address])));
    const before = await balances();
    const r = await submit(a);
    console.log(`# gas: submitEpochRootProof (3 blocks, MockVerifier) = ${r.receipt.gasUsed}`);
    const [ev] = parseEventLogs({ abi: rollupAbi, logs: r.receipt.logs, eventName: 'L2ProofVerified' });
    assert.deepEqual([ev!.args.blockNumber, ev!.args.proverId, ev!.args.epoch], [3n, accounts[PROVER]!.address, 0n]);
    assert.equal(await env.c.rollup.read.getProvenBlockNumber(), 3n);
    const afterB = await balances();
    // reward per block = 1000 + fees (5, 10, 15); the prover gets 20%
    const rewards = [1005n, 1010n, 1015n];
    const proverShares = rewards.map((x) => (x * 2000n) / 10000n);
    assert.equal(afterB[0]! - before[0]!, proverShares.reduce((s, x) => s + x, 0n));
    for (let i = 0; i < 3; i++) assert.equal(afterB[i + 1]! - before[i + 1]!, rewards[i]! - proverShares[i]!);
    // bond released back to the deposit
    assert.equal(await env.c.escrow.read.staked([accounts[PROVER]!.address]), 0n);
    assert.equal(await env.c.escrow.read.deposits([accounts[PROVER]!.address]), 1000n);
    assert.equal((await env.c.rollup.read.getClaim([0n])).status, 2); // Proven
    // the same epoch cannot be proven twice
    await rejectsWith(submit(a), 'EpochNotClaimed');
  });

  it('refuses a wrong previous archive, end archive or prover id (contract comparisons)', async () => {
    const blocks = await epoch0();
    await claimEpoch0();
    const end = blocks[2]!.archive;
    await rejectsWith(submit(args(0n, 0xa1n, end)), 'InvalidPreviousArchive');
    const [exp, given] = await rejectsWith(submit(args(0n, 0xa0n, blocks[1]!.archive)), 'InvalidEndArchive');
    assert.deepEqual([BigInt(exp as string), BigInt(given as string)], [end, blocks[1]!.archive]);
    const [expectedProver, givenProver] = await rejectsWith(submit(args(0n, 0xa0n, end, accounts[3]!.address)), 'InvalidProverId');
    assert.deepEqual([expectedProver, givenProver], [accounts[PROVER]!.address, accounts[3]!.address]);
  });

  it('uses its own VK tree root: a proof made for another root is rejected by the verifier', async () => {
    const blocks = await epoch0();
    await claimEpoch0();
    const a = args(0n, 0xa0n, blocks[2]!.archive);
    const good = (await env.c.rollup.read.getEpochProofPublicInputs([a])).map((x) => BigInt(x));
    const badVk = RootRollupPublicInputs.fromFields(good);
    const forOtherRoot = new RootRollupPublicInputs(
      badVk.previousArchiveRoot, badVk.endArchiveRoot, badVk.headerHashes, badVk.fees, badVk.outHash, 0x9999n, badVk.proverId, badVk.chainId, badVk.version,
    );
    await setExpectedPublicInputs(env, forOtherRoot.toFields());
    await rejectsWith(submit(a), 'InvalidProof');
    // a proof for another prover id is rejected too (the contract puts the claimant's id in the inputs)
    const otherProver = [...good];
    otherProver[otherProver.length - 3] = addressToField(accounts[3]!.address);
    await setExpectedPublicInputs(env, otherProver);
    await rejectsWith(submit(a), 'InvalidProof');
    await setExpectedPublicInputs(env, good);
    await submit(a);
  });

  it('refuses a proof after the deadline, for an incomplete epoch, an unclaimed epoch, or out of order', async () => {
    const blocks = await epoch0();
    await rejectsWith(submit(args(0n, 0xa0n, blocks[2]!.archive)), 'EpochNotComplete');
    await claimEpoch0();
    // epoch 1: a block at slot 5, claimed at slot 8
    await env.warpToSlot(5);
    const b5 = await proposeNext(env, 1);
    await env.warpToSlot(8);
    await rejectsWith(submit(args(1n, blocks[2]!.archive, b5.archive)), 'EpochNotClaimed');
    await claim(env, 1, await signQuote(env, PROVER, { epochToProve: 1n }));
    const [first, proven] = await rejectsWith(submit(args(1n, blocks[2]!.archive, b5.archive)), 'PreviousEpochNotProven');
    assert.deepEqual([first, proven], [4n, 0n]);
    const id = await env.snapshot();
    // epoch 0 is due before slot 4 + 6 = 10
    assert.equal(await env.c.rollup.read.getProofDeadlineSlot([0n]), 10n);
    await env.warpToSlot(10);
    const [deadline, slot] = await rejectsWith(submit(args(0n, 0xa0n, blocks[2]!.archive)), 'ProofDeadlinePassed');
    assert.deepEqual([deadline, slot], [10n, 10n]);
    await env.revert(id);
    await env.warpToSlot(9);
    await submit(args(0n, 0xa0n, blocks[2]!.archive));
    await submit(args(1n, blocks[2]!.archive, b5.archive));
    assert.equal(await env.c.rollup.read.getProvenBlockNumber(), 4n);
  });
});

describe('prune', () => {
  const pruneTx = () => env.sender(4).sendContractTx({ address: rollup(), abi: rollupAbi, functionName: 'prune', args: [] });

  it('an unclaimed epoch is prunable once its claim window is over', async () => {
    await epoch0();
    await rejectsWith(pruneTx(), 'NothingToPrune');
    await env.warpToSlot(5); // claim window of epoch 1 = slots 4, 5
    assert.equal(await env.c.rollup.read.canPrune(), false);
    await rejectsWith(pruneTx(), 'NothingToPrune');
    await env.warpToSlot(6);
    assert.equal(await env.c.rollup.read.canPrune(), true);
    assert.deepEqual(await env.c.rollup.read.getPruneStatus(), [1, 0n]); // Unclaimed, epoch 0
    const r = await pruneTx();
    const [ev] = parseEventLogs({ abi: rollupAbi, logs: r.receipt.logs, eventName: 'PrunedPending' });
    assert.deepEqual([ev!.args.provenBlockNumber, ev!.args.pendingBlockNumber, ev!.args.epoch, ev!.args.reason], [0n, 3n, 0n, 1]);
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 0n);
    assert.deepEqual(await env.c.rollup.read.getEpochBlocks([0n]), [0n, 0n]);
  });

  it('a claimed epoch is prunable at its proof deadline; the claimant\'s bond is burned', async () => {
    await epoch0();
    await claimEpoch0(300n);
    await env.warpToSlot(9);
    assert.equal(await env.c.rollup.read.canPrune(), false);
    await rejectsWith(pruneTx(), 'NothingToPrune');
    await env.warpToSlot(10);
    assert.deepEqual(await env.c.rollup.read.getPruneStatus(), [2, 0n]); // Unproven
    const { escrow } = env.deployment.addresses;
    const before = {
      supply: await env.c.token.read.totalSupply(),
      escrow: await env.c.token.read.balanceOf([escrow]),
      rollup: await env.c.token.read.balanceOf([rollup()]),
      prover: await env.c.token.read.balanceOf([accounts[PROVER]!.address]),
    };
    const r = await pruneTx();
    console.log(`# gas: prune with slashing = ${r.receipt.gasUsed}`);
    const slashed = parseEventLogs({ abi: proofCommitmentEscrowAbi, logs: r.receipt.logs, eventName: 'BondSlashed' });
    assert.equal(slashed.length, 1);
    assert.equal(slashed[0]!.args.amount, 300n);
    // the tokens: out of the escrow and out of existence (a Transfer to address 0), nobody's balance grows
    const transfers = parseEventLogs({ abi: env.c.token.abi, logs: r.receipt.logs, eventName: 'Transfer' });
    assert.deepEqual(transfers.map((t) => [t.args.from, t.args.to, t.args.value]), [[getAddress(escrow), '0x0000000000000000000000000000000000000000', 300n]]);
    assert.equal(await env.c.token.read.totalSupply(), before.supply - 300n);
    assert.equal(await env.c.token.read.balanceOf([escrow]), before.escrow - 300n);
    assert.equal(await env.c.token.read.balanceOf([rollup()]), before.rollup);
    assert.equal(await env.c.token.read.balanceOf([accounts[PROVER]!.address]), before.prover);
    assert.equal(await env.c.escrow.read.staked([accounts[PROVER]!.address]), 0n);
    assert.equal(await env.c.escrow.read.deposits([accounts[PROVER]!.address]), 700n);
    assert.equal((await env.c.rollup.read.getClaim([0n])).status, 3); // Slashed
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 0n);
  });

  it('prune costs the same gas however many epochs went by', async () => {
    // unclaimed: prunable from slot 6; claimed: from its proof deadline, slot 10; each also 1000 epochs later
    const gasOfPrune = async (claimed: boolean, slot: number) => {
      const id = await env.snapshot();
      await epoch0();
      if (claimed) await claimEpoch0(300n);
      await env.warpToSlot(slot);
      const gas = (await pruneTx()).receipt.gasUsed;
      await env.revert(id);
      return gas;
    };
    for (const [claimed, first] of [[false, 6], [true, 10]] as const) {
      const soon = await gasOfPrune(claimed, first);
      const late = await gasOfPrune(claimed, first + 4 * 1000);
      console.log(`# gas: prune (${claimed ? 'slashing' : 'unclaimed'}) at its first slot = ${soon}, 1000 epochs later = ${late}`);
      assert.equal(late, soon);
    }
  });

  it('propose prunes first, and rebuilds on the proven tip', async () => {
    await epoch0();
    await env.warpToSlot(6);
    const b = await proposeNext(env, 1); // pending was 3; pruned to 0, so this is block 1 again
    assert.equal(b.header.globalVariables.blockNumber, 1n);
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 1n);
    assert.deepEqual(await env.c.rollup.read.getEpochBlocks([1n]), [1n, 1n]);
    assert.equal(await env.c.rollup.read.getEpochForBlock([1n]), 1n);
  });

  it('a prune for epoch N slashes N\'s claimant and releases the bond of a claim on N+1', async () => {
    const blocks = await epoch0();
    await claimEpoch0(100n);
    await env.warpToSlot(5);
    await proposeNext(env, 1);
    await fundEscrow(env, 3, 500n);
    await env.warpToSlot(8);
    await claim(env, 1, await signQuote(env, 3, { epochToProve: 1n, bondAmount: 200n }));
    assert.equal(await env.c.escrow.read.staked([accounts[3]!.address]), 200n);
    await env.warpToSlot(10);
    await pruneTx();
    assert.equal((await env.c.rollup.read.getClaim([0n])).status, 3); // Slashed
    assert.equal((await env.c.rollup.read.getClaim([1n])).status, 4); // Released
    assert.equal(await env.c.escrow.read.staked([accounts[3]!.address]), 0n);
    assert.equal(await env.c.escrow.read.deposits([accounts[3]!.address]), 500n);
    assert.equal(await env.c.rollup.read.getPendingBlockNumber(), 0n);
    void blocks;
  });

  it('nothing to prune once the epoch is proven', async () => {
    const blocks = await epoch0();
    await claimEpoch0();
    await submit(args(0n, 0xa0n, blocks[2]!.archive));
    await env.warpToSlot(20);
    assert.equal(await env.c.rollup.read.canPrune(), false);
    assert.equal(getAddress((await env.c.rollup.read.getClaim([0n])).prover), accounts[PROVER]!.address);
  });
});
