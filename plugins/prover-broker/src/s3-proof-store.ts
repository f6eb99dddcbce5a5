/**
 * Inputs and proofs on S3-compatible storage (`s3://bucket/prefix`): small payloads stay inline in
 * the database, large ones are objects named after their job. Agents with access to the same
 * storage read inputs and write proofs there themselves (the broker hands them the object URIs),
 * so proofs never pass through the broker. The refs kept in the database are the object URIs.
 */
import { S3ObjectStore, parseS3Uri } from '@quetzal/kernel/object-store';
import type { PayloadKind, PayloadRef, ProofStore } from './proof-store.js';

export class S3ProofStore implements ProofStore {
  readonly inlineThresholdBytes: number;

  constructor(
    private readonly objects: S3ObjectStore,
    /** `s3://bucket/prefix` without a trailing slash. */
    private readonly base: string,
    options: { inlineThresholdBytes?: number } = {},
  ) {
    this.inlineThresholdBytes = options.inlineThresholdBytes ?? 16 * 1024;
  }

  static fromUri(uri: string, options: { inlineThresholdBytes?: number } = {}): S3ProofStore {
    parseS3Uri(uri);
    return new S3ProofStore(new S3ObjectStore(), uri.replace(/\/+$/, ''), options);
  }

  /** Where the payload of a job goes: the same name for every broker replica and agent. */
  uriFor(key: string, kind: PayloadKind): string {
    return `${this.base}/${key.replace(/[^0-9a-zA-Z-]/g, '_')}.${kind}`;
  }

  /** Whether an agent wrote the payload at `uri` (and that it is one of ours for that job). */
  async holds(uri: string, key: string, kind: PayloadKind): Promise<boolean> {
    return uri === this.uriFor(key, kind) && (await this.objects.exists(uri));
  }

  async save(key: string, kind: PayloadKind, data: Uint8Array): Promise<PayloadRef> {
    if (data.byteLength <= this.inlineThresholdBytes) return data;
    const uri = this.uriFor(key, kind);
    await this.objects.put(uri, data);
    return uri;
  }

  load(ref: PayloadRef): Promise<Uint8Array> {
    return typeof ref === 'string' ? this.objects.get(ref) : Promise.resolve(ref);
  }

  async remove(ref: PayloadRef): Promise<void> {
    if (typeof ref === 'string') await this.objects.delete(ref);
  }

  /** Shared by replicas: an object unknown to this broker may belong to a job another one is enqueueing. */
  sweep(): Promise<number> {
    return Promise.resolve(0);
  }
}
