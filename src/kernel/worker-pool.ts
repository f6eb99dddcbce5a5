import { setMaxListeners } from 'node:events';
import { Worker as NodeWorker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Logger } from './logging.js';
import { RUNTIME } from './runtime.js';

const NODE_SHIM = new URL('./worker-shim.mjs', import.meta.url);
const WEB_SHIM = new URL('./web-worker-shim.mjs', import.meta.url);
/** The message web-worker-shim.mjs posts when its worker exits (a web Worker has no 'exit' event). */
const EXIT_NOTICE = 'quetzal:worker-exit';

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

/** A running worker, whichever runtime started it. */
interface PoolWorker {
  endpoint: Comlink.Endpoint;
  /** Rejects with a WorkerCrashedError when the worker errors or exits. */
  died: Promise<never>;
  terminate(): Promise<void>;
}

interface Slot<T> {
  id: number;
  worker: PoolWorker;
  remote: Comlink.Remote<T>;
  busy: boolean;
}

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

/**
 * A fixed-size pool of worker threads called through comlink: `worker_threads` under Node, the web
 * `Worker` API under Deno, from the same worker module (web-standard APIs plus comlink). Calls
 * queue until a worker is free. A worker that dies fails its in-flight call with a
 * WorkerCrashedError and is replaced; an aborted call terminates its worker (the only way to stop
 * CPU-bound work) and is replaced too. No call can hang on a dead worker.
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
    const label = `${this.options.name}#${id}`;
    const worker = (RUNTIME === 'deno' ? startWebWorker : startNodeWorker)(this.options.module, label);
    // Replace the worker the moment it dies (before the failed call releases the slot), so the
    // next call never lands on a dying worker.
    worker.died.catch(() => this.replace(slot, worker));
    slot.id = id;
    slot.worker = worker;
    slot.remote = Comlink.wrap<T>(worker.endpoint);
  }

  private replace(slot: Slot<T>, worker: PoolWorker): void {
    if (this.closed || slot.worker !== worker) return;
    this.options.logger.warn({ pool: this.options.name, worker: slot.id }, 'worker stopped; replacing it');
    void worker.terminate();
    this.attachWorker(slot);
  }

  private async race<R>(slot: Slot<T>, call: Promise<R>, signal?: AbortSignal): Promise<R> {
    if (!signal) return Promise.race([call, slot.worker.died]);
    let onAbort!: () => void;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => {
        reject(signal.reason ?? new DOMException('aborted', 'AbortError'));
        this.replace(slot, slot.worker);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([call, slot.worker.died, aborted]);
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

const crashed = (label: string, message: string) => new WorkerCrashedError(`worker ${label} crashed: ${message}`);
const exited = (label: string, code: unknown) => new WorkerCrashedError(`worker ${label} exited with code ${String(code)} during the call`);

/** Node: a worker_threads worker, given a web-like global scope by worker-shim.mjs. */
function startNodeWorker(module: URL, label: string): PoolWorker {
  const worker = new NodeWorker(NODE_SHIM, { workerData: { module: module.href }, name: label });
  const died = new Promise<never>((_, reject) => {
    worker.once('error', (err) => reject(crashed(label, err.message)));
    worker.once('exit', (code) => reject(exited(label, code)));
  });
  return {
    endpoint: nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]),
    died,
    terminate: async () => void (await worker.terminate()),
  };
}

/** Deno (or any runtime with web Workers): a module Worker started by web-worker-shim.mjs. */
function startWebWorker(module: URL, label: string): PoolWorker {
  const url = new URL(WEB_SHIM);
  url.searchParams.set('module', module.href);
  const worker = new Worker(url, { type: 'module', name: label });
  const died = new Promise<never>((_, reject) => {
    // Handled here, an uncaught error ends the worker only; unhandled, Deno would end the process.
    worker.addEventListener('error', (e) => {
      e.preventDefault();
      reject(crashed(label, uncaughtMessage(e)));
    });
    worker.addEventListener('message', (e: MessageEvent) => {
      const data = e.data as Record<string, unknown> | null;
      if (data && typeof data === 'object' && EXIT_NOTICE in data) reject(exited(label, data[EXIT_NOTICE]));
    });
  });
  return { endpoint: worker, died, terminate: async () => worker.terminate() };
}

/** Deno reports a worker's error as "Uncaught (in promise) Error: reason"; keep the reason. */
function uncaughtMessage(e: ErrorEvent): string {
  return e.message.replace(/^Uncaught (\(in promise\) )?/, '').replace(/^Error: /, '');
}
