import { setMaxListeners } from 'node:events';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Logger } from './logging.js';

const SHIM = new URL('./worker-shim.mjs', import.meta.url);

export class WorkerCrashedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrashedError';
  }
}

export interface WorkerPoolOptions {
  /** The worker module (`.ts` or `.js`); it calls `Comlink.expose(api)`. */
  module: URL;
  size: number;
  /** Used in errors and logs. */
  name: string;
  logger: Logger;
}

interface Slot<T> {
  id: number;
  worker: Worker;
  remote: Comlink.Remote<T>;
  /** Settles when the worker exits or errors; the reason says how. */
  died: Promise<never>;
  busy: boolean;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * A fixed-size pool of worker threads called through comlink. Calls queue until a worker is free.
 * A worker that dies fails its in-flight call with a WorkerCrashedError and is replaced; an aborted
 * call terminates its worker (the only way to stop CPU-bound work) and is replaced too. No call can
 * hang on a dead worker.
 */
export class WorkerPool<T> {
  private readonly slots: Slot<T>[] = [];
  private readonly waiters: Waiter[] = [];
  private nextId = 0;
  private closed = false;

  constructor(private readonly options: WorkerPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) throw new Error(`worker pool ${options.name}: size must be a positive integer, got ${options.size}`);
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** Runs `task` on a free worker's remote API. */
  async run<R>(task: (remote: Comlink.Remote<T>) => Promise<R>, options: { signal?: AbortSignal } = {}): Promise<R> {
    const { signal } = options;
    signal?.throwIfAborted();
    // Every queued call sharing a signal holds one abort listener until it settles: as many as
    // the queue is long, removed as calls finish, so not the leak node's default cap warns about.
    if (signal) setMaxListeners(0, signal);
    const slot = await this.acquire(signal);
    try {
      return await this.race(slot, task(slot.remote), signal);
    } finally {
      this.release(slot);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new Error(`worker pool ${this.options.name} is closed`));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private spawn(): Slot<T> {
    const slot = { busy: false } as Slot<T>;
    this.attachWorker(slot);
    return slot;
  }

  /** Gives a slot a fresh worker; the slot object (and its busy flag) stays, so callers holding it stay valid. */
  private attachWorker(slot: Slot<T>): void {
    const id = this.nextId++;
    const worker = new Worker(SHIM, { workerData: { module: this.options.module.href }, name: `${this.options.name}#${id}` });
    const died = new Promise<never>((_, reject) => {
      worker.once('error', (err) => reject(new WorkerCrashedError(`worker ${this.options.name}#${id} crashed: ${err.message}`)));
      worker.once('exit', (code) => reject(new WorkerCrashedError(`worker ${this.options.name}#${id} exited with code ${code} during the call`)));
    });
    // Replace the worker the moment it dies (before the failed call releases the slot), so the
    // next call never lands on a dying worker.
    died.catch(() => this.replace(slot, worker));
    slot.id = id;
    slot.worker = worker;
    slot.died = died;
    slot.remote = Comlink.wrap<T>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  }

  private replace(slot: Slot<T>, worker: Worker): void {
    if (this.closed || slot.worker !== worker) return;
    this.options.logger.warn({ pool: this.options.name, worker: slot.id }, 'worker stopped; replacing it');
    void worker.terminate();
    this.attachWorker(slot);
  }

  private async race<R>(slot: Slot<T>, call: Promise<R>, signal?: AbortSignal): Promise<R> {
    if (!signal) return Promise.race([call, slot.died]);
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
        this.replace(slot, slot.worker);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([call, slot.died, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private acquire(signal?: AbortSignal): Promise<Slot<T>> {
    if (this.closed) return Promise.reject(new Error(`worker pool ${this.options.name} is closed`));
    const free = this.slots.find((s) => !s.busy);
    if (free) {
      free.busy = true;
      return Promise.resolve(free);
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
    }).then(() => this.acquire(signal));
  }

  private release(slot: Slot<T>): void {
    slot.busy = false;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiters.shift();
    if (!waiter) return;
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    waiter.resolve();
  }
}
