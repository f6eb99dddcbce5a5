// The `native` CircuitProver: real ZK UltraHonk proofs from the stock bb shipped in @aztec/bb.js,
// through bb.js's native backend. Witness generation and bb calls run in a worker pool (one bb
// child per worker); a cancelled or timed-out proof kills its bb and its worker. Recursive
// circuits are proven for `noir-recursive` (Poseidon2 transcript), root/root-single for `evm`.
// Under `ignition` every proof is also verified off-chain by bb; under `dev` it cannot be (bb's
// verifier pins Ignition's G2): dev proofs are checked inside their parents and on L1.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@quetzal/kernel/logging';
import { nextTurn } from '@quetzal/kernel/turns';
import { createProgress } from '@quetzal/kernel/progress';
import { WorkerPool } from '@quetzal/kernel/worker-pool';
import { CIRCUIT_NAMES, type CircuitName } from '@quetzal/protocol/circuit-names';
import { CircuitExecutionError, type CircuitProofResult, type ProveOptions, type VerificationKeyData } from '@quetzal/protocol/circuit-prover';
import { PROOF_LENGTH } from '@quetzal/protocol/constants';
import type { CircuitInputs } from '@quetzal/protocol/circuits/structs';
import type { VkTree } from '@quetzal/protocol/circuits/vk-tree';
import { BaseCircuitProver } from './base-prover.js';
import type { BbWorkerApi, BbWorkerConfig, ProveOutcome, VkData } from './bb/bb-worker.js';
import { bbChildren } from './bb/processes.js';
import { ensureCrs, type Crs, type CrsOptions } from './crs/crs-manager.js';
import { defaultBbPath, verifierTarget } from './gates.js';
import { VkCache, artifactHash, bbIdentity, vkTreeOf, type VkKey } from './vks.js';

export interface NativeCircuitProverOptions {
  /** A checked CRS (`ensureCrs`). */
  crs: Crs;
  /** Directory of the VK cache (e.g. <dataDir>/vks). */
  vkCacheDir: string;
  logger: Logger;
  /** Threads each bb process uses (--prover-agent.threads). Default: all cores. */
  threads?: number;
  /** Proofs made at once (one worker and one bb process each). Default 1. */
  concurrency?: number;
  /** Default: the bb binary of @aztec/bb.js (BB_PATH overrides). */
  bbPath?: string;
  /** A proof (witness + bb) taking longer is cancelled and its bb killed. Default 30 min. */
  timeoutMs?: number;
  /** Verify every proof off-chain with bb. Default: true under ignition; refused under dev. */
  verify?: boolean;
}

/** Per-proof timings, for metrics and the benchmark. */
export interface NativeProofTimings {
  witnessMs: number;
  proveMs: number;
}

export class NativeCircuitProver extends BaseCircuitProver {
  readonly kind = 'native';
  private readonly pool: WorkerPool<BbWorkerApi>;
  private readonly config: BbWorkerConfig;
  private readonly cache: VkCache;
  private readonly verify: boolean;
  private readonly timeoutMs: number;
  private readonly bbId: string;
  private readonly vks = new Map<CircuitName, Promise<VkData>>();
  private tree?: Promise<VkTree>;
  /**
   * Settles when the last bb start has: workers start their bb one at a time. Under Deno every web
   * Worker has threadId 0, so bb.js names the first bb socket of every worker alike
   * (bb-<pid>-0-0.sock). It unlinks a stale path before spawning bb and a connected socket survives
   * its path being unlinked, so only overlapping starts collide. (A Deno worker's CRS_PATH is the
   * process's environment too: one start at a time keeps each spawn's environment its own.)
   */
  private bbStarts: Promise<void> = Promise.resolve();
  /** bb children of our workers: terminating a worker thread does not end the process it spawned. */
  private readonly bbPids = new Set<number>();
  /** Timings of the last proof of each circuit. */
  readonly lastTimings = new Map<CircuitName, NativeProofTimings>();

  constructor(private readonly options: NativeCircuitProverOptions) {
    super();
    const bbPath = options.bbPath ?? defaultBbPath();
    this.config = { bbPath, crsPath: options.crs.dir, threads: options.threads ?? availableParallelism() };
    this.verify = options.verify ?? options.crs.mode === 'ignition';
    if (this.verify && options.crs.mode === 'dev') {
      throw new Error("verify: bb's off-chain verifier pins Ignition's G2 and rejects every dev-CRS proof; leave verify unset under --crs dev");
    }
    this.timeoutMs = options.timeoutMs ?? 30 * 60_000;
    this.bbId = bbIdentity(bbPath);
    this.cache = new VkCache(options.vkCacheDir);
    this.pool = new WorkerPool<BbWorkerApi>({
      module: new URL('./bb/bb-worker.ts', import.meta.url),
      size: options.concurrency ?? 1,
      name: 'native-prover',
      logger: options.logger,
    });
  }

  get crs(): Crs {
    return this.options.crs;
  }

  /** Runs `task` on a worker whose bb is up; an abort (cancel, timeout) kills that bb. */
  private async withBb<R>(task: (remote: Parameters<Parameters<WorkerPool<BbWorkerApi>['run']>[0]>[0]) => Promise<R>, signal?: AbortSignal): Promise<R> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let startDone = () => {};
    return this.pool.run(async (remote) => {
      const turn = this.bbStarts;
      const mine = new Promise<void>((resolve) => (startDone = resolve));
      this.bbStarts = turn.then(() => mine);
      await turn;
      let pid: number | undefined;
      try {
        pid = await remote.start(this.config);
      } finally {
        startDone();
      }
      if (pid !== undefined) this.bbPids.add(pid);
      const kill = () => {
        if (pid === undefined) return;
        killProcess(pid, 'SIGKILL');
        this.bbPids.delete(pid);
      };
      combined.addEventListener('abort', kill, { once: true });
      try {
        return await task(remote);
      } finally {
        combined.removeEventListener('abort', kill);
      }
    }, { signal: combined })
      .catch((e: unknown) => {
        if (timeout.aborted && !signal?.aborted) throw new Error(`bb did not finish within ${this.timeoutMs} ms; its process was killed`, { cause: e });
        throw e;
      })
      // A worker that died mid-start never settles its start: free the next one's turn here.
      .finally(() => startDone());
  }

  /** Starts every worker's bb now rather than on the first proof (agents call it at start-up). */
  async warmUp(): Promise<void> {
    await Promise.all(Array.from({ length: this.pool.size }, () => this.withBb(async () => undefined)));
  }

  /** The circuit's VK with its bytes (cached per CRS, artifact and bb). */
  vkData(circuit: CircuitName): Promise<VkData> {
    let p = this.vks.get(circuit);
    if (!p) {
      p = this.computeVk(circuit);
      this.vks.set(circuit, p);
      p.catch(() => this.vks.delete(circuit));
    }
    return p;
  }

  private vkKey(circuit: CircuitName): VkKey {
    return { circuit, target: verifierTarget(circuit), crsId: this.options.crs.id, artifactHash: artifactHash(circuit), bbId: this.bbId };
  }

  private async computeVk(circuit: CircuitName): Promise<VkData> {
    const key = this.vkKey(circuit);
    const { target } = key;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const t0 = performance.now();
    const vk = await this.withBb((w) => w.computeVk(this.config, circuit, target));
    this.options.logger.info({ circuit, target, crs: this.options.crs.id, ms: Math.round(performance.now() - t0) }, 'computed VK');
    this.cache.put(key, vk);
    return vk;
  }

  async getVerificationKey(circuit: CircuitName): Promise<VerificationKeyData> {
    const vk = await this.vkData(circuit);
    return { fields: vk.fields, hash: vk.hash };
  }

  getVkTree(): Promise<VkTree> {
    if (!this.tree) {
      // One at a time: a 2-proof circuit's VK takes ~2 GB in bb.
      this.tree = (async () => {
        const vks = {} as Record<CircuitName, VkData>;
        const missing: CircuitName[] = [];
        for (const c of CIRCUIT_NAMES) {
          if (!this.vks.has(c) && !this.cache.get(this.vkKey(c))) missing.push(c);
          // each key loads and hashes a circuit's artifact (MBs of JSON): let the event loop run between
          await nextTurn();
        }
        // Each missing VK takes bb from seconds to a minute: show the operator how far it got.
        const progress = missing.length ? createProgress({ label: `computing ${missing.length} verification keys`, total: missing.length, logger: this.options.logger }) : undefined;
        for (const c of CIRCUIT_NAMES) {
          vks[c] = await this.vkData(c);
          if (missing.includes(c)) progress!.add(1);
        }
        progress?.done();
        return vkTreeOf(vks);
      })();
      this.tree.catch(() => (this.tree = undefined));
    }
    return this.tree;
  }

  async prove<C extends CircuitName>(circuit: C, inputs: CircuitInputs<C>, options: ProveOptions = {}): Promise<CircuitProofResult<C>> {
    const target = verifierTarget(circuit);
    const vk = await this.vkData(circuit);
    options.signal?.throwIfAborted();
    // comlink's Remote loses the method's type parameter; the worker returns ProveOutcome<C>.
    const out = await this.withBb(
      (w) => w.prove(this.config, circuit, inputs as never, target, vk.bytes, this.verify) as Promise<ProveOutcome<C>>,
      options.signal,
    );
    if (!out.ok) throw new CircuitExecutionError(circuit, out.reason);
    if (out.bbPublicInputs.length !== out.publicInputs.length || out.bbPublicInputs.some((v, i) => v !== out.publicInputs[i])) {
      throw new Error(`${circuit}: bb's public inputs differ from the circuit's return values (artifact and ABI out of step?)`);
    }
    if (target === 'noir-recursive' && out.proof.length !== PROOF_LENGTH) {
      throw new Error(`${circuit}: bb returned a ${out.proof.length}-field proof, the protocol expects ${PROOF_LENGTH} (bb version mismatch?)`);
    }
    if (out.verified === false) throw new Error(`${circuit}: bb could not verify the proof it just made (CRS files corrupt or not Ignition?)`);
    this.lastTimings.set(circuit, { witnessMs: out.witnessMs, proveMs: out.proveMs });
    return { circuit, publicOutputs: out.publicOutputs, publicInputs: out.publicInputs, proof: out.proof, vk: { fields: vk.fields, hash: vk.hash } };
  }

  /** bb's Solidity verifier for an EVM circuit's VK (unpatched: see solidity-verifier.ts). */
  async solidityVerifierSource(circuit: 'root' | 'root-single', optimized: boolean): Promise<string> {
    const vk = await this.vkData(circuit);
    return this.withBb((w) => w.solidityVerifier(this.config, vk.bytes, optimized));
  }

  async stop(): Promise<void> {
    await this.pool.close();
    // Only pids that are still our bb children (where /proc can tell): a bb that died earlier may
    // have had its pid reused by an unrelated process.
    const ours = existsSync('/proc') ? new Set(bbChildren().map((p) => p.pid)) : undefined;
    for (const pid of this.bbPids) if (!ours || ours.has(pid)) killProcess(pid, 'SIGTERM');
    this.bbPids.clear();
  }
}

function killProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    /* already gone */
  }
}

export interface CreateNativeProverOptions extends Omit<NativeCircuitProverOptions, 'crs' | 'vkCacheDir'> {
  crs: Omit<CrsOptions, 'logger' | 'dataDir'>;
  /** The node's data directory: dev CRS in <dataDir>/crs/dev, VKs in <dataDir>/vks. */
  dataDir: string;
  signal?: AbortSignal;
}

/** Checks (or, under dev, generates once) the CRS, then builds the prover. */
export async function createNativeProver(opts: CreateNativeProverOptions): Promise<NativeCircuitProver> {
  const { crs: crsOptions, dataDir, signal, ...rest } = opts;
  const crs = await ensureCrs({ ...crsOptions, dataDir, logger: opts.logger, signal });
  return new NativeCircuitProver({ ...rest, crs, vkCacheDir: join(dataDir, 'vks') });
}
