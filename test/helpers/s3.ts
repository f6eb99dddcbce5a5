// An S3-compatible server for tests: s3rver (npm; a Node S3 server over the local file system that
// speaks the S3 REST API, SigV4 included), started on a free port with one bucket. Chosen because
// it installs with `npm ci` on a fresh machine (no docker, no binary download), unlike MinIO,
// which Debian does not package.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export interface TestS3 {
  /** AWS_* variables pointing a client at this server. */
  env: Record<string, string>;
  bucket: string;
  stop(): Promise<void>;
}

export async function startS3(bucket = 'quetzal-proofs'): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'quetzal-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  const { port } = await server.run();
  return {
    // s3rver's fixed development credentials
    env: { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_S3_FORCE_PATH_STYLE: 'true' },
    bucket,
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
