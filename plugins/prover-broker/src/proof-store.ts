/**
 * Where job inputs and proofs live. The broker's databases keep a `PayloadRef` per payload: the
 * bytes themselves for small payloads (inline, stored in the database record), or the name of a
 * file for large ones, so that neither the database records nor the broker's memory grow with the
 * size of proofs.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ProvingBrokerError } from './service.js';

/** Inline bytes, or the name of a file in the directory store. */
export type PayloadRef = Uint8Array | string;

export type PayloadKind = 'in' | 'out';

export interface ProofStore {
  /** Payloads up to this size are kept inline (save returns them as they are). */
  readonly inlineThresholdBytes: number;
  /** Stores a payload; resolves once it is durable. The key is a job id. */
  save(key: string, kind: PayloadKind, data: Uint8Array): Promise<PayloadRef>;
  load(ref: PayloadRef): Promise<Uint8Array>;
  remove(ref: PayloadRef): Promise<void>;
  /** Deletes stored files that no reference names (left over by a crash between write and commit). */
  sweep(referenced: Set<string>): Promise<number>;
  /** Object stores that agents reach themselves: the URI a job's payload goes to. */
  uriFor?(key: string, kind: PayloadKind): string;
  /** Whether `uri` is the job's payload URI and the object is there. */
  holds?(uri: string, key: string, kind: PayloadKind): Promise<boolean>;
}

/**
 * The ref of a reported proof: saved by the store (bytes), or, when the agent wrote it to the
 * object store itself, the URI once checked to be this job's and present.
 */
export async function resultRef(store: ProofStore, id: string, result: Uint8Array | { uri: string }): Promise<PayloadRef> {
  if (result instanceof Uint8Array) return store.save(id, 'out', result);
  if (!store.holds || !(await store.holds(result.uri, id, 'out'))) {
    throw new ProvingBrokerError(`job ${id}: the result URI ${result.uri} is not this job's proof location in the broker's proof store, or nothing was written there`);
  }
  return result.uri;
}

/** What an agent that asked for direct access gets in its lease: URIs instead of inline inputs when the store has them. */
export function directUris(store: ProofStore, id: string, inputs: PayloadRef): { inputsUri?: string; resultUri?: string } {
  if (!store.uriFor) return {};
  return { inputsUri: typeof inputs === 'string' ? inputs : undefined, resultUri: store.uriFor(id, 'out') };
}

/** Everything inline: the database holds the bytes. */
export class InlineProofStore implements ProofStore {
  readonly inlineThresholdBytes = Number.POSITIVE_INFINITY;

  save(_key: string, _kind: PayloadKind, data: Uint8Array): Promise<PayloadRef> {
    return Promise.resolve(data);
  }

  load(ref: PayloadRef): Promise<Uint8Array> {
    if (typeof ref === 'string') return Promise.reject(new Error(`the inline proof store cannot load the file payload "${ref}"`));
    return Promise.resolve(ref);
  }

  remove(): Promise<void> {
    return Promise.resolve();
  }

  sweep(): Promise<number> {
    return Promise.resolve(0);
  }
}

export interface DirectoryProofStoreOptions {
  directory: string;
  /** Payloads up to this size stay inline (in the database); larger ones go to files. */
  inlineThresholdBytes?: number;
  /** fsync each file and the directory before acknowledging (default true). */
  fsync?: boolean;
}

/** Small payloads inline, large ones as files in a directory (written atomically and fsynced). */
export class DirectoryProofStore implements ProofStore {
  readonly directory: string;
  readonly inlineThresholdBytes: number;
  private readonly fsync: boolean;
  private ready: Promise<void> | undefined;
  private tmpCounter = 0;

  constructor(options: DirectoryProofStoreOptions) {
    this.directory = options.directory;
    this.inlineThresholdBytes = options.inlineThresholdBytes ?? 16 * 1024;
    this.fsync = options.fsync ?? true;
  }

  private init(): Promise<void> {
    return (this.ready ??= mkdir(this.directory, { recursive: true }).then(() => undefined));
  }

  async save(key: string, kind: PayloadKind, data: Uint8Array): Promise<PayloadRef> {
    if (data.byteLength <= this.inlineThresholdBytes) return data;
    await this.init();
    const name = `${key.replace(/[^0-9a-zA-Z-]/g, '_')}.${kind}`;
    const tmp = join(this.directory, `.${name}.${process.pid}.${this.tmpCounter++}.tmp`);
    const file = await open(tmp, constants.O_CREAT | constants.O_WRONLY | constants.O_TRUNC, 0o644);
    try {
      await file.writeFile(data);
      if (this.fsync) await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(this.directory, name));
    if (this.fsync) await this.syncDirectory();
    return name;
  }

  private async syncDirectory(): Promise<void> {
    const dir = await open(this.directory, constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }

  async load(ref: PayloadRef): Promise<Uint8Array> {
    if (typeof ref !== 'string') return ref;
    const buf = await readFile(join(this.directory, ref));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  async remove(ref: PayloadRef): Promise<void> {
    if (typeof ref !== 'string') return;
    await unlink(join(this.directory, ref)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  async sweep(referenced: Set<string>): Promise<number> {
    await this.init();
    let removed = 0;
    for (const name of await readdir(this.directory)) {
      if (referenced.has(name)) continue;
      if (!name.endsWith('.in') && !name.endsWith('.out') && !name.endsWith('.tmp')) continue;
      await unlink(join(this.directory, name)).catch(() => undefined);
      removed++;
    }
    return removed;
  }
}
