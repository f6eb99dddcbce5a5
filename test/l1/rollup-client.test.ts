import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { AppendOnlyTreeSnapshot, L2Block } from '@quetzal/protocol/block';
import { RollupContract, decodeProposeCalldata, encodeProposeCalldata } from '@quetzal/l1';
import { accounts, buildBlock, effect, fundEscrow, setup, signQuote, type Env } from './harness.js';

let env: Env;
before(async () => {
  env = await setup();
});
after(async () => env?.stop());

it('RollupContract: propose an L2Block, read it back from calldata, claim, compare public inputs, prove', async () => {
  const rollup = new RollupContract(env.client, env.deployment.addresses.rollup);
  const cfg = await rollup.getConfig();
  assert.equal(cfg.epochDuration, 4n);
  assert.equal(cfg.vkTreeRoot, 0x1234n);
  assert.equal(cfg.inbox, env.deployment.addresses.inbox);
  assert.equal(await rollup.timestampOfSlot(2n), env.genesisTime + 2n * env.slotDuration);

  await env.warpToSlot(2);
  const b = buildBlock({ blockNumber: 1n, slot: 2n, lastArchive: 0xa0n, env, txs: [effect(1n, [3n]), effect(2n)] });
  const block = new L2Block(b.header, b.body, new AppendOnlyTreeSnapshot(b.archive, 2n));
  const sent = await rollup.propose(env.sender(1), block);
  const tx = await env.client.getTransaction({ hash: sent.receipt.transactionHash });
  const back = decodeProposeCalldata(tx.input);
  assert.equal(tx.input, encodeProposeCalldata(block));
  assert.equal(back.headerHash(), block.headerHash());
  assert.ok(back.archive.equals(block.archive));
  back.checkBody();
  assert.deepEqual(await rollup.getTips(), { pending: 1, proven: 0 });
  assert.deepEqual(await rollup.getEpochBlocks(0), { first: 1, last: 1 });
  assert.equal(await rollup.getEpochBlocks(1), undefined);
  const stored = await rollup.getBlock(1);
  assert.equal(stored.headerHash, block.headerHash());
  assert.equal(stored.numTxs, 2);

  await fundEscrow(env, 2, 500n);
  assert.deepEqual(await rollup.getClaimStatus(), { slot: 2n, epoch: 0 });
  await env.warpToSlot(4);
  assert.deepEqual(await rollup.getClaimStatus(), { slot: 4n, epoch: 1, claimableEpoch: 0, claimWindowEndsAtSlot: 6n });
  assert.equal(await rollup.getClaim(0), undefined);
  await rollup.claimEpochProofRight(env.sender(1), await signQuote(env, 2, { epochToProve: 0n, basisPointFee: 100 }));
  assert.deepEqual(await rollup.getClaimStatus(), { slot: 4n, epoch: 1 });
  const claim = await rollup.getClaim(0);
  assert.equal(claim?.status, 'active');
  assert.equal(claim?.basisPointFee, 100);
  const args = { epoch: 0, previousArchive: 0xa0n, endArchive: b.archive, proverId: accounts[2]!.address };
  const pi = await rollup.getEpochProofPublicInputs(args);
  assert.equal(pi.headerHashes[0], block.headerHash());
  assert.equal(pi.fees[0]!.value, block.header.totalFees);
  assert.deepEqual(await rollup.getPruneStatus(), { reason: 'none', epoch: 0 });
  await rollup.submitEpochRootProof(env.sender(3), args, new Uint8Array([1, 2, 3]));
  assert.deepEqual(await rollup.getTips(), { pending: 1, proven: 1 });
  assert.equal((await rollup.getClaim(0))?.status, 'proven');
});
