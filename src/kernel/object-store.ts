/**
 * Objects on S3-compatible storage, named by `s3://bucket/key` URIs. Configured from the usual AWS
 * environment variables: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL (a non-AWS server), AWS_REGION or
 * AWS_DEFAULT_REGION, AWS_S3_FORCE_PATH_STYLE (`true` or `false`; default true with a custom
 * endpoint, whose buckets rarely resolve as host names), and credentials through the SDK's default
 * chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, profiles, instance roles).
 */
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';

// loaded on first use, not at import: every start imports this module, few use S3 (~0.5 s)
const sdk = () => import('@aws-sdk/client-s3');

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) throw new Error(`"${uri}" is not an S3 location: use s3://bucket/prefix (bucket: 3-63 lowercase letters, digits, dots, hyphens)`);
  return { bucket: m[1]!, key: m[2] ?? '' };
}

export class S3ObjectStore {
  private readonly config: S3ClientConfig;
  private client: Promise<S3Client> | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
    const pathStyle = env.AWS_S3_FORCE_PATH_STYLE;
    if (pathStyle !== undefined && !['true', 'false'].includes(pathStyle)) throw new Error(`AWS_S3_FORCE_PATH_STYLE="${pathStyle}": use true or false`);
    this.config = {
      endpoint,
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
      forcePathStyle: pathStyle === undefined ? endpoint !== undefined : pathStyle === 'true',
      // keys in the environment given (the SDK's default chain reads process.env, profiles, roles)
      credentials: env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN } : undefined,
      // S3-compatible servers often lack the newer flexible checksums: only send them where required
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    };
  }

  private s3(): Promise<S3Client> {
    return (this.client ??= sdk().then(({ S3Client }) => new S3Client(this.config)));
  }

  async get(uri: string): Promise<Uint8Array> {
    const { bucket, key } = parseS3Uri(uri);
    const { GetObjectCommand } = await sdk();
    const out = await (await this.s3()).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!out.Body) throw new Error(`${uri}: empty response`);
    return out.Body.transformToByteArray();
  }

  async put(uri: string, data: Uint8Array): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    const { PutObjectCommand } = await sdk();
    await (await this.s3()).send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ContentLength: data.byteLength }));
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, key } = parseS3Uri(uri);
    const { HeadObjectCommand } = await sdk();
    try {
      await (await this.s3()).send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (err) {
      if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
      throw err;
    }
  }

  async delete(uri: string): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    const { DeleteObjectCommand } = await sdk();
    await (await this.s3()).send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  close(): void {
    void this.client?.then((c) => c.destroy());
  }
}
