// Conversions between the protocol's classes (src/protocol/block, trees, root-public-inputs) and
// the circuits' struct values.
import { AppendOnlyTreeSnapshot, BlockHeader, ContentCommitment, GlobalVariables, StateReference } from '../block/header.js';
import { RootRollupPublicInputs } from '../root-public-inputs.js';
import type { NullifierInsertionWitness, PublicDataLeaf, TreeSnapshot } from '../trees/types.js';
import type {
  CircuitBlockHeader,
  CircuitGlobalVariables,
  CircuitNullifierInsertionWitness,
  CircuitPublicDataLeaf,
  PartialStateReference,
  RootOutputs,
  Snapshot,
  
} from './structs.js';

export function snapshotToCircuit(s: AppendOnlyTreeSnapshot | TreeSnapshot): Snapshot {
  return { root: s.root, nextAvailableLeafIndex: BigInt(s.nextAvailableLeafIndex) };
}

export function snapshotFromCircuit(s: Snapshot): AppendOnlyTreeSnapshot {
  return new AppendOnlyTreeSnapshot(s.root, s.nextAvailableLeafIndex);
}

export function globalVariablesToCircuit(g: GlobalVariables): CircuitGlobalVariables {
  return { chainId: g.chainId, version: g.version, blockNumber: g.blockNumber, slotNumber: g.slotNumber, timestamp: g.timestamp, coinbase: g.coinbase };
}

export function globalVariablesFromCircuit(g: CircuitGlobalVariables): GlobalVariables {
  return new GlobalVariables(g.chainId, g.version, g.blockNumber, g.slotNumber, g.timestamp, g.coinbase);
}

/** The three trees a tx changes (from a header's state or a world-state reference). */
export function partialStateOf(state: Record<'noteHashTree' | 'nullifierTree' | 'publicDataTree', AppendOnlyTreeSnapshot | TreeSnapshot>): PartialStateReference {
  return {
    noteHashTree: snapshotToCircuit(state.noteHashTree),
    nullifierTree: snapshotToCircuit(state.nullifierTree),
    publicDataTree: snapshotToCircuit(state.publicDataTree),
  };
}

export function headerToCircuit(h: BlockHeader): CircuitBlockHeader {
  const c = h.contentCommitment;
  const s = h.state;
  return {
    lastArchive: snapshotToCircuit(h.lastArchive),
    contentCommitment: { numTxs: c.numTxs, txsEffectsHash: c.txsEffectsHash, inHash: c.inHash, outHash: c.outHash },
    state: {
      l1ToL2MessageTree: snapshotToCircuit(s.l1ToL2MessageTree),
      noteHashTree: snapshotToCircuit(s.noteHashTree),
      nullifierTree: snapshotToCircuit(s.nullifierTree),
      publicDataTree: snapshotToCircuit(s.publicDataTree),
    },
    globalVariables: globalVariablesToCircuit(h.globalVariables),
    totalFees: h.totalFees,
  };
}

export function headerFromCircuit(h: CircuitBlockHeader): BlockHeader {
  const c = h.contentCommitment;
  const s = h.state;
  return new BlockHeader(
    snapshotFromCircuit(h.lastArchive),
    new ContentCommitment(c.numTxs, c.txsEffectsHash, c.inHash, c.outHash),
    new StateReference(
      snapshotFromCircuit(s.l1ToL2MessageTree),
      snapshotFromCircuit(s.noteHashTree),
      snapshotFromCircuit(s.nullifierTree),
      snapshotFromCircuit(s.publicDataTree),
    ),
    globalVariablesFromCircuit(h.globalVariables),
    h.totalFees,
  );
}


export function rootOutputsToPublicInputs(o: RootOutputs): RootRollupPublicInputs {
  return new RootRollupPublicInputs(
    o.previousArchiveRoot,
    o.endArchiveRoot,
    o.headerHashes,
    o.fees.map((f) => ({ recipient: f.recipient, value: f.value })),
    o.outHash,
    o.vkTreeRoot,
    o.proverId,
    o.chainId,
    o.version,
  );
}

export function nullifierWitnessToCircuit(w: NullifierInsertionWitness): CircuitNullifierInsertionWitness {
  return {
    lowLeaf: { ...w.lowLeaf },
    lowLeafIndex: BigInt(w.lowLeafIndex),
    lowLeafPath: [...w.lowLeafSiblingPath],
    newLeafPath: [...w.newLeafSiblingPath],
  };
}

/** The witness of a skipped (zero) nullifier: ignored by the circuit. */
export function emptyNullifierWitness(height: number): CircuitNullifierInsertionWitness {
  const zeros = Array<bigint>(height).fill(0n);
  return { lowLeaf: { value: 0n, nextIndex: 0n, nextValue: 0n }, lowLeafIndex: 0n, lowLeafPath: [...zeros], newLeafPath: [...zeros] };
}

export function publicDataLeafToCircuit(l: PublicDataLeaf): CircuitPublicDataLeaf {
  return { slot: l.slot, value: l.value, nextIndex: l.nextIndex, nextSlot: l.nextSlot };
}
