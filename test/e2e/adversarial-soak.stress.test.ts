// Adversarial soak (a stress suite, `npm run test:stress`): a local network (anvil, the contracts,
// sequencer, archiver) and an honest prover node in a process of its own (broker and agents in it,
// simulated proofs). Honest users send a tx a second. For 10 epochs an adversary sends, every slot,
// txs the node must refuse (zero-fee from an account with nothing at stake, zero-fee with a forged
// proof, a known tx's nullifiers, a repeated nullifier, another account's balance), floods the
// sequencer with 1,000 quotes from fresh keys and an underfunded prover's quotes, and proposes on L1
// with its own key a block with a garbage archive and a block carrying a tx it never sent to anyone.
// Must hold: every epoch of the final chain is proven; the prover declines the two bad epochs, so its
// escrow never loses a bond; the chain recovers after each prune; no process dies.
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, getAddress, http } from 'viem';
import { createArchiverClient } from '@quetzal/archiver';
import { RpcRemoteError } from '@quetzal/kernel/jsonrpc/errors';
import { getL1Contracts, readDeploymentFile, rollupAbi } from '@quetzal/l1';
import { genesisFromJson } from '@quetzal/protocol/genesis';
import { createNodeClient } from '@quetzal/protocol/node-api';
import { signEpochProofQuote } from '@quetzal/protocol/quote';
import type { Tx } from '@quetzal/protocol/tx';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { ADVERSARY_ACCOUNT, badTxs, devTx, RogueProposer, spamQuotes, underfundedProver, type BadTxKind, type RogueBlock, type RogueBlockKind } from './adversary.js';
import { labelledMetric, localNetworkInfo, PROVER_FLAGS, proverJoinFlags, proverNodeClient, SEQUENCER_NETWORK_FLAGS, waitFor } from './helpers.js';

const EPOCHS = 10;
const QUOTE_SPAM = 1000;
/** Epochs (after the first one of the soak) in which the adversary proposes its blocks. */
const ROGUE_PLAN = new Map<number, RogueBlockKind>([[2, 'garbage-archive'], [6, 'withheld-tx']]);
const DECLINE_REASONS = ['tx-unavailable', 'block-mismatch', 'proving-time', 'escrow', 'quote-provider'];

let network: RunningCli;
let prover: RunningCli;
let env: NodeJS.ProcessEnv;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  env = isolatedEnv();
  network = await startCli(SEQUENCER_NETWORK_FLAGS, env, 90_000);
  prover = await startCli([...PROVER_FLAGS, '--port', '0', ...proverJoinFlags(network, env.DATA_DIRECTORY!), '--prover-broker', '--prover-agent', '--prover-agent.count', '2'], isolatedEnv(), 90_000);
});
after(async () => {
  await prover?.stop();
  await network?.stop();
});

test(`an adversary for ${EPOCHS} epochs: bad txs and quotes refused, bad blocks declined and pruned, every valid epoch proven, no bond lost`, async (t) => {
  const { l1Url, deploymentFile, genesisFile, rollup } = localNetworkInfo(network, env.DATA_DIRECTORY!);
  const deployment = readDeploymentFile(deploymentFile);
  const { epochDuration, minimumBond } = deployment.params;
  const client = createPublicClient({ transport: http(l1Url), cacheTime: 0 });
  const url = `http://127.0.0.1:${network.port}`;
  const node = createNodeClient(url);
  const archiver = createArchiverClient(url);
  const logs = () => `--- network\n${network.logs().slice(-3000)}\n--- prover\n${prover.logs().slice(-3000)}`;
  const proverAddress = getAddress((await proverNodeClient(prover.port).getStatus()).address);
  const { escrow, token } = getL1Contracts(client, deployment.addresses);
  /** The prover's bond tokens: in its wallet, deposited, staked (rewards only add to them). */
  const holdings = async () =>
    (await token.read.balanceOf([proverAddress])) + (await escrow.read.deposits([proverAddress])) + (await escrow.read.staked([proverAddress]));
  const heldAtStart = await holdings();
  const rogue = new RogueProposer({ l1Url, deployment, genesis: genesisFromJson(JSON.parse(readFileSync(genesisFile, 'utf8'))), archiverUrl: url, rollup, client });
  const underfunded = await underfundedProver(l1Url, deployment, minimumBond);
  const domain = { chainId: 31337, rollup: deployment.addresses.rollup };
  const epochNow = async () => Number((await rollup.getCurrentSlot()) / BigInt(epochDuration));

  const failures: string[] = [];
  // honest users: a valid tx a second from dev accounts 0 and 1, paused while the adversary proposes
  const honest: Tx[] = [];
  let running = true;
  let paused = false;
  const honestLoop = (async () => {
    const nonces = [1n, 1n];
    for (let i = 0; running; i++, await sleep(1000)) {
      if (paused) continue;
      const account = i % 2;
      const tx = devTx(account, nonces[account]!++, 1000n);
      await node.sendTx(tx).then(() => honest.push(tx), (e: Error) => failures.push(`an honest tx was refused: ${e.message}`));
    }
  })();
  // every slot, one tx of each kind the node must refuse, each refused with a JSON-RPC error naming the field and the problem
  const refused = new Map<BadTxKind, number>();
  const spamLoop = (async () => {
    for (let nonce = 1_000_000n; running; nonce++, await sleep(deployment.params.slotDuration * 1000)) {
      const known = honest.at(-1);
      if (!known) continue;
      for (const bad of badTxs(nonce, known)) {
        const err = await node.sendTx(bad.tx).then(() => undefined, (e: unknown) => e);
        if (!(err instanceof RpcRemoteError)) failures.push(`${bad.kind}: expected a JSON-RPC error, got ${err === undefined ? 'the tx accepted' : String(err)}`);
        else if ((err.data as { field?: string } | undefined)?.field !== bad.field || !bad.reason.test(err.message)) failures.push(`${bad.kind}: expected field ${bad.field} and ${bad.reason}, got ${err.message} ${JSON.stringify(err.data)}`);
        else refused.set(bad.kind, (refused.get(bad.kind) ?? 0) + 1);
      }
    }
  })();

  const first = await epochNow();
  const rogueBlocks: RogueBlock[] = [];
  let quotesRefused = 0;
  let rogueNonce = 5_000_000n;
  for (let e = first; e < first + EPOCHS; e++) {
    await waitFor(`epoch ${e}`, async () => (await epochNow()) >= e, 60_000);
    const slot = await rollup.getCurrentSlot();
    // quotes for the epoch being claimed now, at fee 0: from fresh keys with no deposit, and from a prover whose deposit is below the bond
    for (const outcome of await spamQuotes(node, domain, BigInt(Math.max(0, e - 1)), slot + 8n, minimumBond, QUOTE_SPAM / EPOCHS)) {
      if (/escrow deposit 0 does not cover the bond/.test(outcome)) quotesRefused++;
      else failures.push(`a fresh key's quote: ${outcome}`);
    }
    const greedy = await signEpochProofQuote(underfunded, { epochToProve: BigInt(Math.max(0, e - 1)), validUntilSlot: slot + 8n, bondAmount: 2n * minimumBond, prover: underfunded.address, basisPointFee: 0 }, domain);
    const outcome = await node.submitEpochProofQuote(greedy).then(() => 'accepted', (err: Error) => err.message);
    if (new RegExp(`escrow deposit ${minimumBond} does not cover the bond ${2n * minimumBond}`).test(outcome)) quotesRefused++;
    else failures.push(`the underfunded prover's quote: ${outcome}`);

    const kind = ROGUE_PLAN.get(e - first);
    if (kind) {
      // no honest block in the slot the adversary takes
      paused = true;
      await waitFor('the honest txs mined', async () => (await node.getPendingTxCount()) === 0, 30_000, logs);
      const tx = devTx(ADVERSARY_ACCOUNT, rogueNonce++, 1000n);
      const proposed = await rogue.propose(kind, tx);
      rogueBlocks.push(proposed);
      t.diagnostic(`epoch ${proposed.epoch}: the adversary proposed block ${proposed.block.number} (${kind})`);
      // the garbage block's tx is then sent, so a prover can hold every tx of the epoch: only the archive is wrong
      if (kind === 'garbage-archive') await node.sendTx(tx);
      paused = false;
    }
  }
  running = false;
  await Promise.all([honestLoop, spamLoop]);
  const last = (await epochNow()) - 1;

  // the chain settles: every tx the network took is in a proven block, nothing is pending
  const finalTips = await waitFor(
    'every accepted tx proven',
    async () => {
      const tips = await rollup.getTips();
      return tips.proven === tips.pending && (await node.getPendingTxCount()) === 0 && tips;
    },
    240_000,
    logs,
  );
  assert.deepEqual(failures, []);

  // the final chain: no adversarial block; every epoch proven, by the honest prover
  const blocks = await archiver.getBlocks(1, finalTips.pending);
  assert.equal(blocks.length, finalTips.pending);
  const rogueHashes = new Set(rogueBlocks.map((r) => r.block.headerHash()));
  assert.deepEqual(blocks.filter((b) => rogueHashes.has(b.headerHash())).map((b) => b.number), [], 'the adversarial blocks were pruned');
  const epochs = [...new Set(blocks.map((b) => Math.floor(Number(b.header.globalVariables.slotNumber) / epochDuration)))];
  for (const e of epochs) {
    const claim = await rollup.getClaim(e);
    assert.equal(claim?.status, 'proven', `epoch ${e} of the final chain is proven`);
    assert.equal(getAddress(claim.prover), proverAddress, `the honest prover proved epoch ${e}`);
  }
  const mined = new Set(blocks.flatMap((b) => b.body.txEffects.map((x) => x.txHash)));
  assert.deepEqual(honest.filter((tx) => !mined.has(tx.hash())).length, 0, 'every honest tx is in a proven block');
  const [garbage, withheld] = rogueBlocks;
  assert.ok(mined.has(garbage!.tx.hash()), "the garbage block's tx, valid itself, was proposed again and proven");
  assert.ok(!mined.has(withheld!.tx.hash()), 'the withheld tx never reached the final chain');

  // the chain recovered after each prune: later epochs were proven; nobody claimed the bad epochs
  for (const r of rogueBlocks) {
    assert.equal(await rollup.getClaim(r.epoch), undefined, `nobody claimed epoch ${r.epoch} (${r.kind})`);
    assert.ok(epochs.some((e) => e > r.epoch + 1), `epochs after the ${r.kind} epoch ${r.epoch} were proven`);
  }
  assert.ok(epochs.some((e) => e >= last - 1), `the last epochs of the soak were proven (proven: ${epochs.join(', ')}; last: ${last})`);

  // the honest prover declined both bad epochs, for what was wrong with each
  const declines = Object.fromEntries(await Promise.all(DECLINE_REASONS.map(async (r) => [r, await labelledMetric(prover.port, 'quetzal_prover_node_quotes_declined_total', `reason="${r}"`)] as const)));
  const bids = () => prover.logs().split('\n').filter((l) => /not bidding|cannot be proven|quote sent/.test(l)).join('\n');
  assert.ok(declines['block-mismatch']! >= 1, `the garbage-archive epoch was declined as block-mismatch: ${JSON.stringify(declines)}\n${bids()}`);
  assert.ok(declines['tx-unavailable']! >= 1, `the withheld-tx epoch was declined as tx-unavailable: ${JSON.stringify(declines)}\n${bids()}`);

  // its escrow never lost a bond
  const slashed = (await client.getContractEvents({ address: escrow.address, abi: escrow.abi, eventName: 'BondSlashed', fromBlock: 0n })).filter((l) => getAddress(l.args.prover!) === proverAddress);
  const bondsLost = slashed.reduce((s, l) => s + l.args.amount!, 0n);
  assert.equal(bondsLost, 0n, 'no bond of the honest prover was slashed');
  assert.ok((await holdings()) >= heldAtStart, 'the honest prover holds at least the bond tokens it started with');
  const prunes = await client.getContractEvents({ address: deployment.addresses.rollup, abi: rollupAbi, eventName: 'PrunedPending', fromBlock: 0n });
  assert.ok(prunes.length >= rogueBlocks.length, `a prune for each adversarial block (${prunes.length} prunes)`);

  // the sequencer counted every refusal by field
  const byField = new Map<string, number>();
  for (const kind of refused.keys()) {
    const field = badTxs(0n, honest[0]!).find((b) => b.kind === kind)!.field;
    byField.set(field, (byField.get(field) ?? 0) + refused.get(kind)!);
  }
  for (const [field, n] of byField) assert.ok((await labelledMetric(network.port, 'quetzal_sequencer_txs_rejected_total', `field="${field}"`)) >= n, `refusals on ${field} counted`);
  assert.equal(quotesRefused, QUOTE_SPAM + EPOCHS, 'every spam quote was refused');

  // no process died; both still serve
  for (const [name, cli] of [['network', network], ['prover', prover]] as const) {
    assert.equal(cli.child.exitCode, null, `the ${name} process is alive`);
    assert.deepEqual(await (await fetch(`http://127.0.0.1:${cli.port}/health`)).json(), { status: 'ok' }, `the ${name} process is healthy`);
  }
  t.diagnostic(
    `soak summary: epochs ${first}-${last}; epochs proven ${epochs.length} (${epochs.join(',')}); declines by reason ${JSON.stringify(declines)}; bonds lost ${bondsLost}; ` +
      `txs refused ${JSON.stringify(Object.fromEntries(refused))}; quotes refused ${quotesRefused}; prunes ${prunes.length}; honest txs proven ${honest.length}`,
  );
});
