// The logic behind `quetzal l1 anvil` and `quetzal l1 deploy`, callable in-process (e.g. by the local network).
import { readFileSync } from 'node:fs';
import { getAddress, type Address, type Hex } from 'viem';
import { ANVIL_CHAIN_ID } from './anvil.js';
import { resolveL1Key } from './keys.js';
import type { ContractArtifact } from './compile.js';
import { DEFAULT_ROLLUP_PARAMS, type DeployL1Options, type L1Deployment, type VerifierChoice } from './deployment.js';

export const DEFAULT_L1_RPC_URL = 'http://127.0.0.1:8545';
export const DEFAULT_DEPLOYMENT_FILE = '.quetzal/l1-deployment.json';

export interface DeployCliInput {
  l1RpcUrls: string;
  privateKey?: string;
  verifier: string;
  verifierLibraries?: string[];
  slotDuration: number;
  epochDuration: number;
  claimWindow: number;
  proofSubmissionWindow: number;
  vkTreeRoot: string;
  genesisArchiveRoot: string;
  rollupVersion: string;
  blockReward: string;
  minimumBond: string;
  escrowWithdrawDelay: number;
  sequencers?: string;
  mint?: string[];
  /** Allow the mock verifier outside anvil's chain id (it accepts every proof). */
  unsafeMockVerifier?: boolean;
  /** Allow a zero VK tree root or genesis archive root outside anvil's chain id. */
  unsafeZeroRoots?: boolean;
}

export function parseRpcUrls(s: string): string[] {
  const urls = s.split(',').map((u) => u.trim()).filter(Boolean);
  if (urls.length === 0) throw new Error('no L1 RPC URL given');
  for (const u of urls) if (!/^https?:\/\//.test(u)) throw new Error(`not an http(s) URL: ${u}`);
  return urls;
}

function bigintArg(name: string, v: string): bigint {
  try {
    return BigInt(v);
  } catch {
    throw new Error(`--${name}: not an integer: ${v}`);
  }
}

/** Reads a compiled verifier: a ContractArtifact JSON (as written by compileSolidity / build-contracts). */
export function readVerifierArtifact(path: string): ContractArtifact {
  const a = JSON.parse(readFileSync(path, 'utf8')) as ContractArtifact;
  if (!a.bytecode || !a.abi) throw new Error(`${path} is not a contract artifact (needs abi and bytecode)`);
  return a;
}

/**
 * The verifier an option names: "mock", the address of a deployed verifier, or a verifier artifact
 * JSON (with the artifacts of the libraries it links).
 */
export function parseVerifierChoice(verifier: string, libraryFiles: readonly string[] = []): VerifierChoice {
  if (verifier === 'mock') return { kind: 'mock' };
  if (/^0x[0-9a-fA-F]{40}$/.test(verifier)) return { kind: 'address', address: getAddress(verifier) };
  const libraries: Record<string, ContractArtifact> = {};
  for (const p of libraryFiles) {
    const a = readVerifierArtifact(p);
    libraries[a.contractName] = a;
  }
  return { kind: 'artifact', artifact: readVerifierArtifact(verifier), libraries };
}

/**
 * What a deployment outside anvil must not have without an explicit `--unsafe-...` flag: the mock verifier (anyone
 * can prove anything) and zero roots (a VK tree root no proof can match, a genesis archive no world state has).
 */
function refuseUnsafeOutsideAnvil(input: DeployCliInput, chainId: number, vkTreeRoot: bigint, genesisArchiveRoot: bigint): void {
  if (chainId === ANVIL_CHAIN_ID) return;
  const where = `chain ${chainId} is not anvil (${ANVIL_CHAIN_ID})`;
  if (input.verifier === 'mock' && !input.unsafeMockVerifier) {
    throw new Error(
      `--verifier mock accepts every proof, and ${where}: deploy the root circuit's verifier (e.g. --verifier build/contracts/HonkVerifier.json, see \`quetzal circuits vks\`), or pass --unsafe-mock-verifier for a throwaway test chain`,
    );
  }
  for (const [flag, value] of [['vk-tree-root', vkTreeRoot], ['genesis-archive-root', genesisArchiveRoot]] as const) {
    if (value === 0n && !input.unsafeZeroRoots) {
      throw new Error(`--${flag} is 0 and ${where}: give the real root (\`quetzal circuits vks\` prints the VK tree root), or pass --unsafe-zero-roots for a throwaway test chain`);
    }
  }
}

/**
 * Turns CLI input into deploy options. Without a private key, anvil's first dev account is used, but only on
 * the anvil chain id (the caller checks the chain id and passes `chainId`). Outside anvil, the mock verifier
 * and zero roots are refused unless an `--unsafe-...` flag allows them.
 */
export function deployOptionsFromCli(input: DeployCliInput, chainId: number): { options: DeployL1Options; usedDevKey: boolean } {
  const rpcUrls = parseRpcUrls(input.l1RpcUrls);
  const vkTreeRoot = bigintArg('vk-tree-root', input.vkTreeRoot);
  const genesisArchiveRoot = bigintArg('genesis-archive-root', input.genesisArchiveRoot);
  refuseUnsafeOutsideAnvil(input, chainId, vkTreeRoot, genesisArchiveRoot);
  const { key: privateKey, devAccount } = resolveL1Key({ key: input.privateKey, flag: '--private-key (or L1_PRIVATE_KEY)', devIndex: 0, chainId });
  const usedDevKey = devAccount !== undefined;
  const verifier = parseVerifierChoice(input.verifier, input.verifierLibraries);
  const sequencers: Address[] = (input.sequencers ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => getAddress(s));
  const mints = (input.mint ?? []).map((m) => {
    const [to, amount] = m.split(':');
    if (!to || !amount) throw new Error(`--mint expects ADDRESS:AMOUNT, got ${m}`);
    return { to: getAddress(to), amount: bigintArg('mint', amount) };
  });
  return {
    usedDevKey,
    options: {
      rpcUrls,
      privateKey: privateKey as Hex,
      verifier,
      slotDuration: input.slotDuration,
      epochDuration: input.epochDuration,
      claimWindow: input.claimWindow,
      proofSubmissionWindow: input.proofSubmissionWindow,
      vkTreeRoot,
      genesisArchiveRoot,
      version: bigintArg('rollup-version', input.rollupVersion),
      blockReward: bigintArg('block-reward', input.blockReward),
      minimumBond: bigintArg('minimum-bond', input.minimumBond),
      escrowWithdrawDelay: input.escrowWithdrawDelay,
      sequencers,
      mints,
    },
  };
}

export const DEPLOY_DEFAULTS = {
  slotDuration: DEFAULT_ROLLUP_PARAMS.slotDuration,
  epochDuration: DEFAULT_ROLLUP_PARAMS.epochDuration,
  claimWindow: DEFAULT_ROLLUP_PARAMS.claimWindow,
  proofSubmissionWindow: DEFAULT_ROLLUP_PARAMS.proofSubmissionWindow,
  blockReward: DEFAULT_ROLLUP_PARAMS.blockReward.toString(),
  minimumBond: DEFAULT_ROLLUP_PARAMS.minimumBond.toString(),
  escrowWithdrawDelay: DEFAULT_ROLLUP_PARAMS.escrowWithdrawDelay,
};

export function formatDeployment(d: L1Deployment, file?: string): string {
  const a = d.addresses;
  return [
    `L1 contracts deployed on chain ${d.chainId} at block ${d.deployBlock} (verifier: ${d.verifierKind})`,
    `  Rollup                 ${a.rollup}`,
    `  Inbox                  ${a.inbox}`,
    `  Outbox                 ${a.outbox}`,
    `  ProofCommitmentEscrow  ${a.escrow}`,
    `  QuetzalToken           ${a.token}`,
    `  Verifier               ${a.verifier}`,
    `  genesis time ${d.genesisTime}, slot ${d.params.slotDuration} s, epoch ${d.params.epochDuration} slots, claim window ${d.params.claimWindow} slots, proof window ${d.params.proofSubmissionWindow} slots`,
    ...(file ? [`  deployment file: ${file}`] : []),
  ].join('\n');
}
