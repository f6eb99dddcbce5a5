// Test fixtures: an in-memory world (reference trees) from genesis, for circuit tests and
// simulations. Not used in production paths.
import { AppendOnlyTreeSnapshot, BlockHeader, ContentCommitment, GlobalVariables, StateReference } from '../block/header.js';
import { blockHash } from '../block/block-hash.js';
import {
  ARCHIVE_TREE_HEIGHT,
  L1_TO_L2_MSG_TREE_HEIGHT,
  L1_TO_L2_MSGS_PER_BLOCK,
  NOTE_HASH_TREE_HEIGHT,
  NULLIFIER_TREE_HEIGHT,
  PUBLIC_DATA_TREE_HEIGHT,
} from '../constants.js';
import { ReferenceAppendOnlyTree, ReferenceNullifierTree, ReferencePublicDataTree } from '../trees/reference.js';
import { TreeId, type AppendOnlyTreeId } from '../trees/types.js';
import { finishBlock, type BuilderFork, type FinishedBlock } from './block-building.js';

export class TestWorld {
  readonly noteHash = new ReferenceAppendOnlyTree(NOTE_HASH_TREE_HEIGHT);
  readonly nullifier = new ReferenceNullifierTree(NULLIFIER_TREE_HEIGHT);
  readonly publicData = new ReferencePublicDataTree(PUBLIC_DATA_TREE_HEIGHT);
  readonly l1ToL2 = new ReferenceAppendOnlyTree(L1_TO_L2_MSG_TREE_HEIGHT);
  readonly archive = new ReferenceAppendOnlyTree(ARCHIVE_TREE_HEIGHT);
  /** headers[i] = the header of block genesis + i (headers[0] = genesis). */
  readonly headers: BlockHeader[] = [];

  /**
   * Genesis: fee-payer balances written in order, then the genesis block hash as archive leaf 0.
   * `genesisBlockNumber` G > 0 seeds the world past G blocks that had no txs and no messages: the
   * archive and L1->L2 message trees hold G and G x L1_TO_L2_MSGS_PER_BLOCK empty leaves before the
   * genesis header (block G, its hash at archive leaf G). The circuits accept that as a chain
   * (they check the last archive leaf, not earlier ones): a test-only way to reach indices no test
   * could append its way to.
   */
  static genesis(opts: { chainId: bigint; version: bigint; balances: ReadonlyArray<readonly [bigint, bigint]>; genesisBlockNumber?: bigint }): TestWorld {
    const w = new TestWorld();
    const g = opts.genesisBlockNumber ?? 0n;
    w.archive.appendEmptyLeaves(Number(g));
    w.l1ToL2.appendEmptyLeaves(Number(g) * L1_TO_L2_MSGS_PER_BLOCK);
    for (const [slot, value] of opts.balances) w.publicData.write(slot, value);
    // BlockHeader.genesis is block 0's; a seeded genesis is block g, after g empty archive leaves
    const header = new BlockHeader(
      AppendOnlyTreeSnapshot.of(w.archive.snapshot()),
      ContentCommitment.empty(),
      w.stateReference(),
      new GlobalVariables(opts.chainId, opts.version, g, 0n, 0n, 0n),
      0n,
    );
    w.headers.push(header);
    w.archive.appendLeaves([blockHash(header)]);
    return w;
  }

  stateReference(): StateReference {
    return StateReference.of({
      l1ToL2MessageTree: this.l1ToL2.snapshot(),
      noteHashTree: this.noteHash.snapshot(),
      nullifierTree: this.nullifier.snapshot(),
      publicDataTree: this.publicData.snapshot(),
    });
  }

  archiveSnapshot(): AppendOnlyTreeSnapshot {
    return AppendOnlyTreeSnapshot.of(this.archive.snapshot());
  }

  /** The world behind the fork operations of block building (src/protocol/circuits/block-building.ts). */
  fork(): BuilderFork {
    return forkOfTestWorld(this);
  }

  /** Closes a block on this world (block-building's finishBlock) and records its header. */
  async finishBlock(block: Parameters<typeof finishBlock>[1]): Promise<FinishedBlock> {
    const finished = await finishBlock(this.fork(), block);
    this.headers.push(finished.header);
    return finished;
  }

  get lastHeader(): BlockHeader {
    return this.headers[this.headers.length - 1]!;
  }

  get trees() {
    return { noteHash: this.noteHash, nullifier: this.nullifier, publicData: this.publicData };
  }
}

/**
 * Runs scripts/build-circuits.ts (a no-op when the artifacts are up to date), so tests never run
 * stale circuits. For tests only.
 */
export async function ensureCircuitsBuilt(): Promise<void> {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-circuits.ts'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the circuits failed:\n${r.stdout}\n${r.stderr}`);
}

/**
 * The TestWorld's reference trees behind the fork operations the fork builders use (async, like
 * a WorldStateFork). For tests.
 */
function forkOfTestWorld(w: TestWorld): BuilderFork {
  const appendOnly = (tree: AppendOnlyTreeId) =>
    tree === TreeId.NOTE_HASH ? w.noteHash : tree === TreeId.L1_TO_L2_MESSAGES ? w.l1ToL2 : w.archive;
  const any = (tree: TreeId) =>
    tree === TreeId.NULLIFIER ? w.nullifier : tree === TreeId.PUBLIC_DATA ? w.publicData : appendOnly(tree as AppendOnlyTreeId);
  return {
    async getStateReference() {
      return {
        l1ToL2MessageTree: w.l1ToL2.snapshot(),
        noteHashTree: w.noteHash.snapshot(),
        nullifierTree: w.nullifier.snapshot(),
        publicDataTree: w.publicData.snapshot(),
        archive: w.archive.snapshot(),
      };
    },
    async getSiblingPath(tree, index) {
      return any(tree).getSiblingPath(index);
    },
    async getSubtreeSiblingPath(tree, height) {
      return appendOnly(tree).getSubtreeSiblingPath(height);
    },
    async appendLeaves(tree, leaves) {
      appendOnly(tree).appendLeaves(leaves);
    },
    async insertNullifiers(values) {
      const probe = w.nullifier.clone();
      for (const v of values) probe.insert(v); // throws before changing the real tree
      return values.map((v) => w.nullifier.insert(v));
    },
    async readPublicDataWithWitness(slot) {
      return w.publicData.readWithWitness(slot);
    },
    async writePublicData(slot, value) {
      return w.publicData.write(slot, value);
    },
    async findLeafIndex(tree, leaf) {
      return tree === TreeId.NULLIFIER ? w.nullifier.findLeafIndex(leaf) : appendOnly(tree as AppendOnlyTreeId).findLeafIndex(leaf);
    },
    async readPublicData(slot) {
      return w.publicData.read(slot);
    },
  };
}
