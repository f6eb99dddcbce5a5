// The broker's proof store on S3-compatible storage (a real S3 server, s3rver, started here): large
// inputs and proofs are objects; agents with access read inputs and write proofs there themselves,
// over the broker's JSON-RPC too; agents without it get bytes through the broker; a result URI
// that is not the job's is refused; garbage collection deletes the objects.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { pino } from 'pino';
import { S3ObjectStore } from '@quetzal/kernel/object-store';
import { ProvingBrokerClient } from '@quetzal/protocol/proving-broker-client';
import { makeProvingJob, proveWith } from '@quetzal/protocol/proving-jobs';
import { ProvingAgent } from '@quetzal/prover-agent';
import { MemoryBrokerDatabase, ProvingBroker, S3ProofStore, startProvingBrokerServer } from '@quetzal/prover-broker';
import { startS3, type TestS3 } from '../helpers/s3.js';

const logger = pino({ level: 'silent' });
let s3: TestS3;
let objects: S3ObjectStore;
before(async () => {
  s3 = await startS3();
  objects = new S3ObjectStore(s3.env);
});
after(async () => {
  objects.close();
  await s3.stop();
});

const proofOf = (inputs: Uint8Array) => new Uint8Array(4096).fill(inputs[0]! ^ 0x5a);

it('inputs and proofs live in S3; agents read and write there directly, through the JSON-RPC too', async () => {
  const store = new S3ProofStore(objects, `s3://${s3.bucket}/epochs`, { inlineThresholdBytes: 1024 });
  const broker = new ProvingBroker({ database: new MemoryBrokerDatabase(), proofStore: store, logger });
  await broker.start();
  const server = await startProvingBrokerServer({ broker, logger });
  const client = new ProvingBrokerClient(server.url);
  const big = Array.from({ length: 4 }, (_, i) => makeProvingJob(1, 'base', new Uint8Array(8192).fill(i + 1)));
  const small = makeProvingJob(1, 'parity-base', new Uint8Array([9, 9]));
  try {
    for (const j of [...big, small]) await client.enqueueProvingJob(j);
    for (const j of big) assert.deepEqual(await objects.get(store.uriFor(j.id, 'in')), j.inputs, 'large inputs are objects');
    assert.equal(await objects.exists(store.uriFor(small.id, 'in')), false, 'small inputs stay inline');

    // a lease for a direct agent names URIs instead of carrying the inputs
    const lease = (await client.getProvingJob({ directProofStore: true, allowList: ['base'] }))!;
    assert.equal(lease.job.inputs.length, 0);
    assert.equal(lease.inputsUri, store.uriFor(lease.job.id, 'in'));
    assert.equal(lease.resultUri, store.uriFor(lease.job.id, 'out'));
    await assert.rejects(client.reportProvingJobSuccess(lease.job.id, lease.lease, { uri: lease.resultUri! }), /nothing was written there|not this job/);
    await assert.rejects(client.reportProvingJobSuccess(lease.job.id, lease.lease, { uri: store.uriFor(big[3]!.id, 'in') }), /not this job's proof location/);
    assert.ok(await client.abandonProvingJob(lease.job.id, lease.lease));

    const seen: string[] = [];
    const direct = new ProvingAgent({ consumer: client, objectStore: objects, prove: async (_t, inputs) => (seen.push('direct'), proofOf(inputs)), pollIntervalMs: 10, logger });
    const relayed = new ProvingAgent({ consumer: broker, prove: async (_t, inputs) => (seen.push('relayed'), proofOf(inputs)), pollIntervalMs: 10, logger });
    direct.start();
    relayed.start();
    const proofs = await Promise.all([...big, small].map((j) => proveWith(client, j, { pollMs: 1000 })));
    await Promise.all([direct.stop(), relayed.stop()]);
    [...big, small].forEach((j, i) => assert.deepEqual(proofs[i], proofOf(j.inputs)));
    assert.ok(seen.includes('direct') && seen.includes('relayed'), `both kinds of agent proved: ${seen.join(',')}`);
    for (const j of big) assert.equal(await objects.exists(store.uriFor(j.id, 'out')), true, 'every large proof is an object');

    assert.equal(await client.cleanupEpochsBefore(2), 5);
    for (const j of big) {
      assert.equal(await objects.exists(store.uriFor(j.id, 'in')), false, 'garbage collection deletes inputs');
      assert.equal(await objects.exists(store.uriFor(j.id, 'out')), false, 'and proofs');
    }
  } finally {
    client.close();
    await server.close();
    await broker.stop();
  }
});

it('a bad proof-store location is refused with the fix', () => {
  assert.throws(() => S3ProofStore.fromUri('s3://A_Bucket/x'), /use s3:\/\/bucket\/prefix/);
});
