// Deployment of the L1 contracts and the deployment file every command reads (`--l1.deployment FILE`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { getAddress, type Address, type Hex } from 'viem';
import { linkBytecode, loadArtifact, rollupAbi, type L1ContractAddresses } from './contracts.js';
import type { ContractArtifact } from './compile.js';
import { L1TxSender, type L1Logger, type L1TxSenderOptions } from './tx-sender.js';

export type VerifierChoice =
  | { kind: 'mock' }
  /** e.g. the generated HonkVerifier: the main artifact and the artifacts of the libraries it links to. */
  | { kind: 'artifact'; artifact: ContractArtifact; libraries?: Record<string, ContractArtifact> }
  | { kind: 'address'; address: Address };

export interface RollupParams {
  /** L1 seconds per L2 slot. */
  slotDuration: number;
  /** Slots per epoch (1..MAX_BLOCKS_PER_EPOCH). */
  epochDuration: number;
  /** Slots at the start of epoch N+1 during which epoch N can be claimed (1..epochDuration). */
  claimWindow: number;
  /** Slots from the start of epoch N+1 by which epoch N's proof must land (>= claimWindow). */
  proofSubmissionWindow: number;
  vkTreeRoot: bigint;
  /** Archive root with only the genesis block hash as leaf 0. */
  genesisArchiveRoot: bigint;
  /** Rollup version (the header's `version`). */
  version: bigint;
  /** Tokens minted per proven block on top of its fees. */
  blockReward: bigint;
  /** Smallest bond a quote may offer. */
  minimumBond: bigint;
  /** Seconds a prover waits between starting and executing an escrow withdrawal. */
  escrowWithdrawDelay: number;
  /** Allow-listed proposers, round robin by slot; empty = anyone may propose. */
  sequencers: Address[];
  /** L1 time of slot 0 (seconds); 0 or unset = the Rollup's deployment block time. */
  genesisTime?: bigint;
}

export const DEFAULT_ROLLUP_PARAMS: RollupParams = {
  slotDuration: 12,
  epochDuration: 8,
  claimWindow: 4,
  // generous: real proofs of a whole epoch take minutes on a laptop
  proofSubmissionWindow: 64,
  vkTreeRoot: 0n,
  genesisArchiveRoot: 0n,
  version: 1n,
  blockReward: 10n ** 18n,
  minimumBond: 10n ** 18n,
  escrowWithdrawDelay: 600,
  sequencers: [],
};

export interface DeployL1Options extends Partial<RollupParams> {
  rpcUrls: string | readonly string[];
  privateKey: Hex;
  verifier?: VerifierChoice;
  /** Tokens minted at deployment (e.g. to provers for bonds). */
  mints?: { to: Address; amount: bigint }[];
  artifactsDir?: string;
  logger?: L1Logger;
  senderOptions?: Omit<L1TxSenderOptions, 'privateKey' | 'rpcUrls'>;
}

export interface L1Deployment {
  chainId: number;
  /** L1 block number of the Rollup's deployment (archivers start scanning here). */
  deployBlock: bigint;
  deployer: Address;
  addresses: L1ContractAddresses;
  genesisTime: bigint;
  params: Omit<RollupParams, 'genesisTime'>;
  verifierKind: VerifierChoice['kind'];
}

const ROLLUP_PARAM_KEYS = [...Object.keys(DEFAULT_ROLLUP_PARAMS), 'genesisTime'] as (keyof RollupParams)[];

/** The Rollup parameters of `opts` (nothing else: keys and URLs must never reach the deployment file), with defaults. */
export function pickRollupParams(opts: Partial<RollupParams>): RollupParams {
  const out: Record<string, unknown> = { ...DEFAULT_ROLLUP_PARAMS };
  for (const k of ROLLUP_PARAM_KEYS) if (opts[k] !== undefined) out[k] = opts[k];
  return out as unknown as RollupParams;
}

const hex32 = (v: bigint): Hex => `0x${v.toString(16).padStart(64, '0')}`;

/** Deploys token, escrow, inbox, outbox, verifier and Rollup, wires them up, and returns the addresses. */
export async function deployL1Contracts(opts: DeployL1Options): Promise<L1Deployment> {
  const p = pickRollupParams(opts);
  const sender = new L1TxSender({ ...opts.senderOptions, rpcUrls: opts.rpcUrls, privateKey: opts.privateKey, logger: opts.logger });
  const owner = sender.address;
  const dir = opts.artifactsDir;
  const art = <N extends Parameters<typeof loadArtifact>[0]>(n: N) => loadArtifact(n, dir);
  const code = (a: ContractArtifact) => linkBytecode(a, {});

  const token = await sender.deploy({ abi: art('QuetzalToken').abi, bytecode: code(art('QuetzalToken')), args: ['Quetzal Token', 'QTZ', owner], label: 'deploy QuetzalToken' });
  const escrow = await sender.deploy({
    abi: art('ProofCommitmentEscrow').abi, bytecode: code(art('ProofCommitmentEscrow')), args: [token.address, BigInt(p.escrowWithdrawDelay), owner], label: 'deploy ProofCommitmentEscrow',
  });
  const inbox = await sender.deploy({ abi: art('Inbox').abi, bytecode: code(art('Inbox')), args: [owner], label: 'deploy Inbox' });
  const outbox = await sender.deploy({ abi: art('Outbox').abi, bytecode: code(art('Outbox')), args: [owner], label: 'deploy Outbox' });
  const verifier = await deployVerifier(sender, opts.verifier ?? { kind: 'mock' }, dir);

  const config = {
    verifier,
    inbox: inbox.address,
    outbox: outbox.address,
    escrow: escrow.address,
    token: token.address,
    owner,
    genesisTime: p.genesisTime ?? 0n,
    slotDuration: BigInt(p.slotDuration),
    epochDuration: BigInt(p.epochDuration),
    claimWindow: BigInt(p.claimWindow),
    proofSubmissionWindow: BigInt(p.proofSubmissionWindow),
    vkTreeRoot: hex32(p.vkTreeRoot),
    genesisArchiveRoot: hex32(p.genesisArchiveRoot),
    version: p.version,
    blockReward: p.blockReward,
    minimumBond: p.minimumBond,
    sequencers: p.sequencers.map((s) => getAddress(s)),
  };
  const rollup = await sender.deploy({ abi: rollupAbi, bytecode: code(art('Rollup')), args: [config], label: 'deploy Rollup' });

  await sender.sendContractTx({ address: inbox.address, abi: art('Inbox').abi, functionName: 'setRollup', args: [rollup.address], label: 'Inbox.setRollup' });
  await sender.sendContractTx({ address: outbox.address, abi: art('Outbox').abi, functionName: 'setRollup', args: [rollup.address], label: 'Outbox.setRollup' });
  await sender.sendContractTx({ address: escrow.address, abi: art('ProofCommitmentEscrow').abi, functionName: 'setRollup', args: [rollup.address], label: 'ProofCommitmentEscrow.setRollup' });
  await sender.sendContractTx({ address: token.address, abi: art('QuetzalToken').abi, functionName: 'setMinter', args: [rollup.address, true], label: 'QuetzalToken.setMinter' });
  for (const m of opts.mints ?? []) {
    await sender.sendContractTx({ address: token.address, abi: art('QuetzalToken').abi, functionName: 'mint', args: [getAddress(m.to), m.amount], label: 'QuetzalToken.mint' });
  }

  const genesisTime = await sender.client.readContract({ address: rollup.address, abi: rollupAbi, functionName: 'GENESIS_TIME' });
  const { genesisTime: _g, ...params } = p;
  void _g;
  return {
    chainId: await sender.chainId(),
    deployBlock: rollup.receipt.blockNumber,
    deployer: owner,
    addresses: { rollup: rollup.address, inbox: inbox.address, outbox: outbox.address, escrow: escrow.address, token: token.address, verifier },
    genesisTime,
    params: { ...params, sequencers: params.sequencers.map((s) => getAddress(s)) },
    verifierKind: (opts.verifier ?? { kind: 'mock' }).kind,
  };
}

async function deployVerifier(sender: L1TxSender, choice: VerifierChoice, dir?: string): Promise<Address> {
  if (choice.kind === 'address') return getAddress(choice.address);
  if (choice.kind === 'mock') {
    const a = loadArtifact('MockVerifier', dir);
    return (await sender.deploy({ abi: a.abi, bytecode: linkBytecode(a, {}), label: 'deploy MockVerifier' })).address;
  }
  // Deploy every library the verifier links to (recursively), then the verifier.
  const deployed: Record<string, Address> = {};
  const deployOne = async (a: ContractArtifact): Promise<Address> => {
    const links: Record<string, Address> = {};
    for (const libs of Object.values(a.linkReferences)) {
      for (const lib of Object.keys(libs)) {
        if (!deployed[lib]) {
          const libArt = choice.libraries?.[lib];
          if (!libArt) throw new Error(`verifier links library ${lib} but no artifact was given for it`);
          deployed[lib] = await deployOne(libArt);
        }
        links[lib] = deployed[lib]!;
      }
    }
    return (await sender.deploy({ abi: a.abi, bytecode: linkBytecode(a, links), label: `deploy ${a.contractName}` })).address;
  };
  return deployOne(choice.artifact);
}

// ---------------------------------------------------------------- deployment file

/** JSON with bigints as decimal strings. */
export function deploymentToJson(d: L1Deployment): string {
  return JSON.stringify(d, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

export function deploymentFromJson(text: string): L1Deployment {
  const j = JSON.parse(text) as Record<string, unknown> & { params: Record<string, unknown>; addresses: Record<string, string> };
  const big = (v: unknown, what: string): bigint => {
    if (typeof v !== 'string' && typeof v !== 'number') throw new Error(`deployment file: ${what} missing`);
    return BigInt(v);
  };
  const num = (v: unknown, what: string): number => {
    if (typeof v !== 'number') throw new Error(`deployment file: ${what} missing`);
    return v;
  };
  const addr = (k: string) => {
    const v = j.addresses?.[k];
    if (typeof v !== 'string') throw new Error(`deployment file: addresses.${k} missing`);
    return getAddress(v);
  };
  const pr = j.params;
  return {
    chainId: num(j.chainId, 'chainId'),
    deployBlock: big(j.deployBlock, 'deployBlock'),
    deployer: getAddress(String(j.deployer)),
    addresses: { rollup: addr('rollup'), inbox: addr('inbox'), outbox: addr('outbox'), escrow: addr('escrow'), token: addr('token'), verifier: addr('verifier') },
    genesisTime: big(j.genesisTime, 'genesisTime'),
    params: {
      slotDuration: num(pr.slotDuration, 'params.slotDuration'),
      epochDuration: num(pr.epochDuration, 'params.epochDuration'),
      claimWindow: num(pr.claimWindow, 'params.claimWindow'),
      proofSubmissionWindow: num(pr.proofSubmissionWindow, 'params.proofSubmissionWindow'),
      vkTreeRoot: big(pr.vkTreeRoot, 'params.vkTreeRoot'),
      genesisArchiveRoot: big(pr.genesisArchiveRoot, 'params.genesisArchiveRoot'),
      version: big(pr.version, 'params.version'),
      blockReward: big(pr.blockReward, 'params.blockReward'),
      minimumBond: big(pr.minimumBond, 'params.minimumBond'),
      escrowWithdrawDelay: num(pr.escrowWithdrawDelay, 'params.escrowWithdrawDelay'),
      sequencers: ((pr.sequencers as string[] | undefined) ?? []).map((s) => getAddress(s)),
    },
    verifierKind: (j.verifierKind as L1Deployment['verifierKind']) ?? 'mock',
  };
}

export function writeDeploymentFile(path: string, d: L1Deployment): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, deploymentToJson(d));
}

export function readDeploymentFile(path: string, flag = '--l1.deployment'): L1Deployment {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${flag} ${path}: cannot read the L1 deployment file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message} (run \`quetzal l1 deploy --l1.deployment ${path}\`)`, { cause: e });
  }
  try {
    return deploymentFromJson(text);
  } catch (e) {
    const reason = e instanceof SyntaxError ? 'not valid JSON' : (e as Error).message.replace(/^deployment file: /, '');
    throw new Error(`${flag} ${path}: not an L1 deployment file (${reason}); pass the file \`quetzal l1 deploy\` wrote`, { cause: e });
  }
}
