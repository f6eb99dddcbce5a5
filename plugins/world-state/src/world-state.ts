// The world state on LMDB: committed blocks with per-block history, forks, unwind, pruning.
import { mkdirSync } from 'node:fs';
import {
  ARCHIVE_TREE_HEIGHT,
  L1_TO_L2_MSG_TREE_HEIGHT,
  NOTE_HASH_TREE_HEIGHT,
  NULLIFIER_TREE_HEIGHT,
  PUBLIC_DATA_TREE_HEIGHT,
} from '@quetzal/protocol/constants';
import { BlockHeader, StateReference } from '@quetzal/protocol/block/header';
import { blockHash as computeBlockHash } from '@quetzal/protocol/block/block-hash';
import { TreeId, TREE_NAMES } from '@quetzal/protocol/trees/types';
import {
  WorldStateMismatchError,
  type BlockTreeEffects,
  type WorldStateDatabase,
  type WorldStateReader,
  type WorldStateReference,
  type WorldStateStatus,
} from '@quetzal/protocol/world-state';
import { bytesToBigint } from './encoding.js';
import { getHasher, type Hasher } from './hasher.js';
import { prepareNativePoseidon2 } from './native/poseidon2-native.js';
import { BaseReader, EmptyBase, zeroNodes } from './overlay.js';
import { TreeStore, type BlockMeta, type StoreOptions } from './store.js';
import { WorldStateView, type TreeHeights } from './view.js';

export const DEFAULT_TREE_HEIGHTS: TreeHeights = {
  [TreeId.L1_TO_L2_MESSAGES]: L1_TO_L2_MSG_TREE_HEIGHT,
  [TreeId.NOTE_HASH]: NOTE_HASH_TREE_HEIGHT,
  [TreeId.NULLIFIER]: NULLIFIER_TREE_HEIGHT,
  [TreeId.PUBLIC_DATA]: PUBLIC_DATA_TREE_HEIGHT,
  [TreeId.ARCHIVE]: ARCHIVE_TREE_HEIGHT,
};

export interface GenesisOptions {
  /** Public data written at genesis (fee-payer balances), in order. */
  publicData?: readonly { slot: bigint; value: bigint }[];
  chainId?: bigint;
  version?: bigint;
  /** Overrides the genesis block hash (archive leaf 0). */
  blockHash?: (state: WorldStateReference) => bigint;
}

export interface LmdbWorldStateOptions extends StoreOptions {
  heights?: Partial<TreeHeights>;
  genesis?: GenesisOptions;
  hasher?: Hasher;
}

/** The hash of the genesis header (BlockHeader.genesis) over an archive of `archiveHeight`. */
export function genesisBlockHash(state: WorldStateReference, archiveHeight: number, chainId = 0n, version = 0n, hasher = getHasher()): bigint {
  const emptyArchiveRoot = bytesToBigint(zeroNodes(hasher, archiveHeight)[archiveHeight]);
  return computeBlockHash(BlockHeader.genesis(StateReference.of(state), emptyArchiveRoot, chainId, version));
}

const hex = (v: bigint) => '0x' + v.toString(16);

function buildGenesis(heights: TreeHeights, g: GenesisOptions, hasher: Hasher, store?: TreeStore): { view: WorldStateView; blockHash: bigint } {
  const view = new WorldStateView(-1, new EmptyBase(store as TreeStore, -1), [0, 0, 0, 0, 0], heights, hasher, { readOnly: false });
  view.nullifier.appendRaw(view.nullifier.codec.initial());
  view.publicData.appendRaw(view.publicData.codec.initial());
  for (const w of g.publicData ?? []) view.writePublicDataSync(w.slot, w.value, false);
  const state = view.stateReferenceSync();
  const blockHash = g.blockHash ? g.blockHash(state) : genesisBlockHash(state, heights[TreeId.ARCHIVE], g.chainId ?? 0n, g.version ?? 0n, hasher);
  view.archive.append([blockHash]);
  return { view, blockHash };
}

/**
 * The genesis state (block 0) without opening a store: e.g. the archive root the Rollup is
 * deployed with (`state.archive.root`).
 */
export function computeGenesis(g: GenesisOptions = {}, heights: Partial<TreeHeights> = {}): { state: WorldStateReference; blockHash: bigint } {
  const { view, blockHash } = buildGenesis({ ...DEFAULT_TREE_HEIGHTS, ...heights } as TreeHeights, g, getHasher());
  return { state: view.stateReferenceSync(), blockHash };
}

export class LmdbWorldState implements WorldStateDatabase {
  private readonly hasher: Hasher;
  private openForks = 0;
  private latestView: WorldStateView | undefined;
  private closed = false;

  private constructor(
    readonly store: TreeStore,
    readonly heights: TreeHeights,
    hasher: Hasher,
  ) {
    this.hasher = hasher;
  }

  /** Opens (creating with genesis when empty) the world state in directory `path`. */
  static async open(path: string, opts: LmdbWorldStateOptions = {}): Promise<LmdbWorldState> {
    mkdirSync(path, { recursive: true });
    if (!opts.hasher) await prepareNativePoseidon2();
    const heights = { ...DEFAULT_TREE_HEIGHTS, ...opts.heights } as TreeHeights;
    const store = new TreeStore(path, opts);
    const ws = new LmdbWorldState(store, heights, opts.hasher ?? getHasher());
    const latest = store.latestBlock();
    if (latest === undefined) {
      ws.createGenesis(opts.genesis ?? {});
    } else {
      const stored = store.getMeta('heights') as number[] | undefined;
      if (stored && stored.join() !== Object.values(heights).join()) {
        await store.close();
        throw new Error(`world state at ${path} has tree heights ${stored.join()}, asked for ${Object.values(heights).join()}`);
      }
    }
    return ws;
  }

  private createGenesis(g: GenesisOptions): void {
    const { view, blockHash } = buildGenesis(this.heights, g, this.hasher, this.store);
    this.persist(0, view, blockHash, { heights: Object.values(this.heights) });
  }

  private persist(block: number, view: WorldStateView, blockHash: bigint, extraMeta?: Record<string, unknown>): WorldStateReference {
    const state = view.stateReferenceSync();
    const meta: BlockMeta = {
      blockNumber: block,
      roots: [state.l1ToL2MessageTree, state.noteHashTree, state.nullifierTree, state.publicDataTree, state.archive].map((s) => hex(s.root)),
      sizes: view.sizes(),
      blockHash: hex(blockHash),
    };
    this.store.commitBlock(block, view.changedEntries(), meta, extraMeta);
    this.latestView = undefined;
    return state;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('world state is closed');
  }

  private latest(): number {
    const l = this.store.latestBlock();
    if (l === undefined) throw new Error('world state has no genesis');
    return l;
  }

  private makeView(block: number, readOnly: boolean, onClose?: () => void): WorldStateView {
    const latest = this.latest();
    const oldest = this.store.oldestBlock();
    if (block < oldest || block > latest) throw new Error(`block ${block} is not available (history ${oldest}..${latest})`);
    const meta = this.store.blockMeta(block)!;
    const checkAlive = () => {
      if (this.closed) throw new Error('world state is closed');
      const l = this.store.latestBlock() ?? -1;
      if (block > l) throw new Error(`block ${block} was unwound (latest is ${l})`);
      if (block < this.store.oldestBlock()) throw new Error(`block ${block} is no longer retained`);
    };
    return new WorldStateView(block, new BaseReader(this.store, block), meta.sizes, this.heights, this.hasher, {
      readOnly,
      checkAlive,
      onClose,
    });
  }

  async getStatus(): Promise<WorldStateStatus> {
    this.assertOpen();
    const latest = this.latest();
    return {
      latestBlockNumber: latest,
      oldestHistoricBlockNumber: this.store.oldestBlock(),
      latestBlockHash: BigInt(this.store.blockMeta(latest)!.blockHash),
    };
  }

  /** The committed state at the latest block (a new view after each commit or unwind). */
  getCommitted(): WorldStateReader {
    this.assertOpen();
    const latest = this.latest();
    if (!this.latestView || this.latestView.blockNumber !== latest) this.latestView = this.makeView(latest, true);
    return this.latestView;
  }

  getSnapshot(blockNumber: number): WorldStateReader {
    this.assertOpen();
    return this.makeView(blockNumber, true);
  }

  /** A fork at `blockNumber` (default latest): writes stay in memory; close it after use. */
  async fork(blockNumber?: number): Promise<WorldStateView> {
    this.assertOpen();
    this.openForks++;
    let closed = false;
    return this.makeView(blockNumber ?? this.latest(), false, () => {
      if (!closed) {
        closed = true;
        this.openForks--;
      }
    });
  }

  /** Forks currently open (not yet closed). */
  get openForkCount(): number {
    return this.openForks;
  }

  async commitBlock(effects: BlockTreeEffects, expected?: Partial<WorldStateReference>): Promise<WorldStateReference> {
    this.assertOpen();
    const latest = this.latest();
    if (effects.blockNumber !== latest + 1) throw new Error(`cannot commit block ${effects.blockNumber}: latest is ${latest}`);
    const view = this.makeView(latest, false);
    view.noteHash.append(effects.noteHashes);
    view.insertNullifiersSync(effects.nullifiers, false, false);
    for (const w of effects.publicDataWrites) view.writePublicDataSync(w.slot, w.value, false);
    view.l1ToL2.append(effects.l1ToL2Messages);
    view.archive.append([effects.blockHash]);
    const state = view.stateReferenceSync();
    if (expected) {
      const names: [keyof WorldStateReference, TreeId][] = [
        ['noteHashTree', TreeId.NOTE_HASH],
        ['nullifierTree', TreeId.NULLIFIER],
        ['publicDataTree', TreeId.PUBLIC_DATA],
        ['l1ToL2MessageTree', TreeId.L1_TO_L2_MESSAGES],
        ['archive', TreeId.ARCHIVE],
      ];
      for (const [k, id] of names) {
        const e = expected[k];
        if (e && (e.root !== state[k].root || e.nextAvailableLeafIndex !== state[k].nextAvailableLeafIndex)) {
          throw new WorldStateMismatchError(effects.blockNumber, TREE_NAMES[id], e, state[k]);
        }
      }
    }
    return this.persist(effects.blockNumber, view, effects.blockHash);
  }

  async unwindTo(blockNumber: number): Promise<void> {
    this.assertOpen();
    if (blockNumber >= this.latest()) return;
    this.store.unwindTo(blockNumber);
    this.latestView = undefined;
  }

  async removeHistoryBefore(blockNumber: number): Promise<void> {
    this.assertOpen();
    this.store.removeHistoryBefore(blockNumber);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.close();
  }
}
