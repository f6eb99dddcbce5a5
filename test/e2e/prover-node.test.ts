// `quetzal start --local-network --sequencer --bot --archiver --prover-node --prover-broker
// --prover-agent` with simulated proofs and prove-ahead: three consecutive epochs with txs and
// L1->L2 messages are validated, proven ahead, bid on, claimed and proven on L1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getAddress } from 'viem';
import { createArchiverClient } from '@quetzal/archiver';
import { isolatedEnv, startCli, type RunningCli } from '../helpers/cli.js';
import { localNetworkInfo, metric, NETWORK_FLAGS, PROVER_FLAGS, proverNodeClient, waitFor } from './helpers.js';

let cli: RunningCli;
let env: NodeJS.ProcessEnv;

before(async () => {
  env = isolatedEnv();
  cli = await startCli([...NETWORK_FLAGS, ...PROVER_FLAGS, '--prover-node.prove-ahead', '--prover-broker', '--prover-agent', '--prover-agent.count', '2'], env, 90_000);
});
after(async () => {
  await cli?.stop();
});

test('three consecutive epochs with txs and L1->L2 messages are bid, claimed and proven on L1', async () => {
  const node = proverNodeClient(cli.port);
  const { rollup } = localNetworkInfo(cli, env.DATA_DIRECTORY!);
  const archiver = createArchiverClient(`http://127.0.0.1:${cli.port}`);
  // three consecutive epochs whose jobs completed
  const epochs = await waitFor(
    'three consecutive proven epochs',
    async () => {
      const done = new Set((await node.getJobs()).filter((j) => j.state === 'completed').map((j) => j.epoch));
      const first = [...done].find((e) => done.has(e + 1) && done.has(e + 2));
      return first === undefined ? undefined : [first, first + 1, first + 2];
    },
    180_000,
    cli.logs,
  );
  const { address, quotedEpochs } = await node.getStatus();
  let txs = 0;
  let messages = 0;
  for (const e of epochs) {
    assert.ok(quotedEpochs.includes(e), `a quote was sent for epoch ${e}`);
    const claim = (await rollup.getClaim(e))!;
    assert.equal(claim.status, 'proven', `epoch ${e} is proven on L1`);
    assert.equal(getAddress(claim.prover), getAddress(address), `our quote won epoch ${e}`);
    const range = (await rollup.getEpochBlocks(e))!;
    for (let n = range.first; n <= range.last; n++) {
      txs += (await archiver.getBlock(n))!.body.numTxs;
      messages += (await archiver.getL1ToL2Messages(n)).filter((m) => m !== 0n).length;
    }
  }
  assert.ok(txs > 0, 'the proven epochs hold txs');
  assert.ok(messages > 0, 'the proven epochs consume L1->L2 messages');
  const { proven } = await rollup.getTips();
  const last = (await rollup.getEpochBlocks(epochs[2]!))!.last;
  assert.ok(proven >= last, 'the proven tip passed the third epoch');

  assert.ok((await metric(cli.port, 'quetzal_prover_node_proofs_published_total')) >= 3);
  assert.ok((await metric(cli.port, 'quetzal_prover_node_quotes_sent_total')) >= 3);
  const metrics = await (await fetch(`http://127.0.0.1:${cli.port}/metrics`)).text();
  assert.match(metrics, /quetzal_prover_node_circuit_seconds_count\{circuit="base"\} [1-9]/);
  // the claims' jobs took their blocks' proofs made ahead (whole block-roots, or a block's jobs found at the broker)
  assert.match(metrics, /quetzal_prover_node_circuits_reused_total\{circuit="(base|block-root)"\} [1-9]/);
});
