// Typed contract access. ABIs are generated `as const` TypeScript (src/l1/generated/abis.ts, rewritten by
// scripts/build-contracts.ts and checked in), so viem infers argument and return types; bytecode is read from the
// JSON artifacts in build/contracts at deploy time only.
import { getContract, type Address, type Client, type Hex } from 'viem';
import {
  rollupAbi, inboxAbi, outboxAbi, proofCommitmentEscrowAbi, quetzalTokenAbi, mockVerifierAbi, allErrorsAbi,
} from './generated/abis.js';
import { readArtifact, type ContractArtifact } from './compile.js';

export { rollupAbi, inboxAbi, outboxAbi, proofCommitmentEscrowAbi, quetzalTokenAbi, mockVerifierAbi, allErrorsAbi };

export const ABIS = {
  Rollup: rollupAbi,
  Inbox: inboxAbi,
  Outbox: outboxAbi,
  ProofCommitmentEscrow: proofCommitmentEscrowAbi,
  QuetzalToken: quetzalTokenAbi,
  MockVerifier: mockVerifierAbi,
} as const;

export type ContractName = keyof typeof ABIS;

/** An artifact with its typed ABI. */
export function loadArtifact<N extends ContractName>(name: N, dir?: string): ContractArtifact & { abi: (typeof ABIS)[N] } {
  return readArtifact(name, dir) as ContractArtifact & { abi: (typeof ABIS)[N] };
}

/** Replaces library placeholders with addresses (solc's linkReferences give the byte offsets). */
export function linkBytecode(artifact: Pick<ContractArtifact, 'bytecode' | 'linkReferences'>, libraries: Record<string, Address>): Hex {
  let code = artifact.bytecode;
  for (const [file, libs] of Object.entries(artifact.linkReferences)) {
    for (const [lib, refs] of Object.entries(libs)) {
      const address = libraries[lib] ?? libraries[`${file}:${lib}`];
      if (!address) throw new Error(`library ${file}:${lib} has no address to link`);
      const hex = address.toLowerCase().replace(/^0x/, '');
      for (const { start, length } of refs) {
        if (length !== 20) throw new Error(`unexpected link length ${length}`);
        code = code.slice(0, 2 * start) + hex + code.slice(2 * (start + length));
      }
    }
  }
  if (/__\$[0-9a-f]{34}\$__/.test(code)) throw new Error('bytecode still has unlinked library placeholders');
  return `0x${code}`;
}

export interface L1ContractAddresses {
  rollup: Address;
  inbox: Address;
  outbox: Address;
  escrow: Address;
  token: Address;
  verifier: Address;
}

/** viem contract instances (read + events; writes go through L1TxSender). */
export function getL1Contracts(client: Client, a: L1ContractAddresses) {
  return {
    rollup: getContract({ address: a.rollup, abi: rollupAbi, client }),
    inbox: getContract({ address: a.inbox, abi: inboxAbi, client }),
    outbox: getContract({ address: a.outbox, abi: outboxAbi, client }),
    escrow: getContract({ address: a.escrow, abi: proofCommitmentEscrowAbi, client }),
    token: getContract({ address: a.token, abi: quetzalTokenAbi, client }),
  };
}

export type L1Contracts = ReturnType<typeof getL1Contracts>;
