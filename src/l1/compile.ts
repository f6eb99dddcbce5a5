// solc-js compilation of the Solidity sources into artifacts (abi + bytecode + link references).
// Used by scripts/build-contracts.ts at build time and, later, for the generated HonkVerifier.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Abi } from 'viem';
import type { Logger } from '@quetzal/kernel/logging';
import { WorkerPool } from '@quetzal/kernel/worker-pool';
import type { CompileWorkerApi } from './compile-worker.js';

const require = createRequire(import.meta.url);

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CONTRACTS_SRC = join(REPO_ROOT, 'contracts/src');
export const ARTIFACTS_DIR = join(REPO_ROOT, 'build/contracts');

/** Link references as solc reports them: file -> library -> byte offsets of 20-byte placeholders. */
export type LinkReferences = Record<string, Record<string, { start: number; length: number }[]>>;

export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  abi: Abi;
  /** Creation bytecode, hex without 0x; may contain `__$...$__` placeholders (see linkReferences). */
  bytecode: string;
  deployedBytecode: string;
  linkReferences: LinkReferences;
  /** Deployed code size in bytes (EIP-170 limit: 24576). */
  deployedSize: number;
  solcVersion: string;
  /** Where each state variable lives (tests seed contract state through anvil with it). */
  storageLayout?: StorageLayout;
}

export interface StorageLayout {
  storage: { label: string; slot: string; offset: number; type: string }[];
}

export interface CompileOptions {
  optimizerRuns?: number;
  evmVersion?: string;
  viaIR?: boolean;
}

export const DEFAULT_COMPILE_OPTIONS: Required<CompileOptions> = { optimizerRuns: 200, evmVersion: 'cancun', viaIR: false };

interface SolcModule {
  compile(input: string, opts?: { import?: (path: string) => { contents: string } | { error: string } }): string;
  version(): string;
}

let solcCache: SolcModule | undefined;
function solc(): SolcModule {
  // solc-js is CommonJS and slow to load (~1 s): load on first use.
  solcCache ??= require('solc') as SolcModule;
  return solcCache;
}

export function solcVersion(): string {
  return solc().version();
}

/**
 * Compiles Solidity sources (path -> content; relative imports resolve between these keys) and returns every
 * contract with bytecode or an ABI, keyed by contract name (last definition wins on a name clash across files).
 * Throws with solc's formatted messages on errors.
 */
export function compileSolidity(sources: Record<string, string>, options: CompileOptions = {}): Record<string, ContractArtifact> {
  const o = { ...DEFAULT_COMPILE_OPTIONS, ...options };
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([k, content]) => [k, { content }])),
    settings: {
      optimizer: { enabled: true, runs: o.optimizerRuns },
      evmVersion: o.evmVersion,
      viaIR: o.viaIR,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.bytecode.linkReferences', 'evm.deployedBytecode.object', 'storageLayout'] } },
    },
  };
  const s = solc();
  const output = JSON.parse(
    s.compile(JSON.stringify(input), {
      import: (path: string) => (sources[path] !== undefined ? { contents: sources[path]! } : { error: `source not found: ${path}` }),
    }),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<string, Record<string, { abi: Abi; storageLayout?: StorageLayout; evm: { bytecode: { object: string; linkReferences: LinkReferences }; deployedBytecode: { object: string } } }>>;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const version = s.version();
  const out: Record<string, ContractArtifact> = {};
  for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
    for (const [contractName, c] of Object.entries(contracts)) {
      out[contractName] = {
        contractName,
        sourceName,
        abi: c.abi,
        bytecode: c.evm.bytecode.object,
        deployedBytecode: c.evm.deployedBytecode.object,
        linkReferences: c.evm.bytecode.linkReferences ?? {},
        deployedSize: c.evm.deployedBytecode.object.length / 2,
        solcVersion: version,
        ...(c.storageLayout ? { storageLayout: { storage: c.storageLayout.storage.map(({ label, slot, offset, type }) => ({ label, slot, offset, type })) } } : {}),
      };
    }
  }
  return out;
}

/** Every .sol file under `dir`, keyed by its path relative to `dir`. */
/** compileSolidity on a worker thread, for callers that must keep their event loop moving. */
export async function compileSolidityOffThread(sources: Record<string, string>, options: CompileOptions, logger: Logger): Promise<Record<string, ContractArtifact>> {
  const pool = new WorkerPool<CompileWorkerApi>({ module: new URL('./compile-worker.ts', import.meta.url), size: 1, name: 'solc', logger });
  try {
    return (await pool.run((w) => w.compile(sources, options))) as Record<string, ContractArtifact>;
  } finally {
    await pool.close();
  }
}

export function readSources(dir = CONTRACTS_SRC): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.sol')) out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

export function sourcesHash(sources: Record<string, string>, options: CompileOptions = {}): string {
  const h = createHash('sha256');
  h.update(solcVersion());
  h.update(JSON.stringify({ ...DEFAULT_COMPILE_OPTIONS, ...options }));
  for (const k of Object.keys(sources).sort()) h.update(`${k}\0${sources[k]}\0`);
  return h.digest('hex');
}

/** The contracts the project deploys (artifacts written for these; the others are interfaces/libraries). */
export const PROJECT_CONTRACTS = ['Rollup', 'Inbox', 'Outbox', 'ProofCommitmentEscrow', 'QuetzalToken', 'MockVerifier'] as const;
export type ProjectContractName = (typeof PROJECT_CONTRACTS)[number];

export function writeArtifacts(artifacts: Record<string, ContractArtifact>, dir = ARTIFACTS_DIR): void {
  mkdirSync(dir, { recursive: true });
  for (const a of Object.values(artifacts)) writeFileSync(join(dir, `${a.contractName}.json`), JSON.stringify(a, null, 1));
}

export function readArtifact(name: string, dir = ARTIFACTS_DIR): ContractArtifact {
  const p = join(dir, `${name}.json`);
  if (!existsSync(p)) throw new Error(`contract artifact ${p} missing: run \`npm run build\` (scripts/build-contracts.ts)`);
  return JSON.parse(readFileSync(p, 'utf8')) as ContractArtifact;
}
