import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TreeId } from '@quetzal/protocol/trees/types';
import { ReferenceAppendOnlyTree, ReferenceNullifierTree, ReferencePublicDataTree } from '@quetzal/protocol/trees/reference';
import { genesisBlockHash, LmdbWorldState, type TreeHeights } from '@quetzal/world-state';
import type { WorldStateReference } from '@quetzal/protocol/world-state';

export const SMALL_HEIGHTS: TreeHeights = {
  [TreeId.L1_TO_L2_MESSAGES]: 6,
  [TreeId.NOTE_HASH]: 8,
  [TreeId.NULLIFIER]: 8,
  [TreeId.PUBLIC_DATA]: 8,
  [TreeId.ARCHIVE]: 5,
};

export function tempDir(prefix = 'ws-test-'): { path: string; cleanup: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

/** The five reference trees, with the same genesis as LmdbWorldState. */
export class ReferenceWorld {
  l1ToL2: ReferenceAppendOnlyTree;
  noteHash: ReferenceAppendOnlyTree;
  nullifier: ReferenceNullifierTree;
  publicData: ReferencePublicDataTree;
  archive: ReferenceAppendOnlyTree;
  constructor(readonly heights: TreeHeights, genesisPublicData: { slot: bigint; value: bigint }[] = []) {
    this.l1ToL2 = new ReferenceAppendOnlyTree(heights[TreeId.L1_TO_L2_MESSAGES]);
    this.noteHash = new ReferenceAppendOnlyTree(heights[TreeId.NOTE_HASH]);
    this.nullifier = new ReferenceNullifierTree(heights[TreeId.NULLIFIER]);
    this.publicData = new ReferencePublicDataTree(heights[TreeId.PUBLIC_DATA]);
    this.archive = new ReferenceAppendOnlyTree(heights[TreeId.ARCHIVE]);
    for (const w of genesisPublicData) this.publicData.write(w.slot, w.value);
    this.archive.appendLeaves([genesisBlockHash(this.state(), heights[TreeId.ARCHIVE])]);
  }
  state(): WorldStateReference {
    return {
      l1ToL2MessageTree: this.l1ToL2.snapshot(),
      noteHashTree: this.noteHash.snapshot(),
      nullifierTree: this.nullifier.snapshot(),
      publicDataTree: this.publicData.snapshot(),
      archive: this.archive.snapshot(),
    };
  }
  clone(): ReferenceWorld {
    const c = Object.create(ReferenceWorld.prototype) as ReferenceWorld;
    Object.assign(c, {
      heights: this.heights,
      l1ToL2: this.l1ToL2.clone(),
      noteHash: this.noteHash.clone(),
      nullifier: this.nullifier.clone(),
      publicData: this.publicData.clone(),
      archive: this.archive.clone(),
    });
    return c;
  }
}

export async function openSmall(path: string, genesisPublicData: { slot: bigint; value: bigint }[] = []): Promise<LmdbWorldState> {
  return LmdbWorldState.open(path, { heights: SMALL_HEIGHTS, genesis: { publicData: genesisPublicData } });
}
