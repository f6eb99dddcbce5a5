// Large request bodies are parsed on a worker thread; their long hex strings (job inputs, proofs)
// come back as bytes, transferred without a copy, and the bytes codec (zBytes) takes them as they are.
import * as Comlink from 'comlink';
import type { Logger } from '../logging.js';
import { WorkerPool } from '../worker-pool.js';
import type { ParseWorkerApi } from './parse-worker.js';

/** `invalid`: valid JSON that no request may be (the reason); without it, not JSON. */
export type ParsedBody = { ok: true; value: unknown } | { ok: false; invalid?: string };

/** One worker, started on the first large body and kept for the next ones. */
export class OffThreadJsonParser {
  private pool: WorkerPool<ParseWorkerApi> | undefined;

  constructor(private readonly logger: Logger) {}

  async parse(chunks: Buffer[]): Promise<ParsedBody> {
    this.pool ??= new WorkerPool<ParseWorkerApi>({ module: new URL('./parse-worker.ts', import.meta.url), size: 1, name: 'jsonrpc-parse', logger: this.logger });
    // chunks that alone hold their memory move to the worker; the others are copied
    const owned = chunks.filter((c) => c.byteOffset === 0 && c.byteLength === c.buffer.byteLength).map((c) => c.buffer as ArrayBuffer);
    return (await this.pool.run((w) => w.parse(Comlink.transfer(chunks, owned)) as Promise<ParsedBody>)) as ParsedBody;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.close();
  }
}
