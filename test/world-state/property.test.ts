// Random sequences of operations give the LMDB world state (forks, commits, snapshots, unwinds)
// the same roots, sibling paths and witnesses as the in-memory reference trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TreeId } from '@quetzal/protocol/trees/types';
import type { BlockTreeEffects } from '@quetzal/protocol/world-state';
import { LmdbWorldState, type TreeHeights, type WorldStateView } from '@quetzal/world-state';
import { ReferenceWorld, tempDir } from './helpers.js';

const HEIGHTS: TreeHeights = {
  [TreeId.L1_TO_L2_MESSAGES]: 5,
  [TreeId.NOTE_HASH]: 5,
  [TreeId.NULLIFIER]: 5,
  [TreeId.PUBLIC_DATA]: 4,
  [TreeId.ARCHIVE]: 4,
};

type Op =
  | { op: 'append'; tree: 'note' | 'msg'; leaves: bigint[] }
  | { op: 'nullify'; values: bigint[] }
  | { op: 'write'; slot: bigint; value: bigint }
  | { op: 'path'; tree: TreeId; index: number }
  | { op: 'low'; value: bigint }
  | { op: 'read'; slot: bigint }
  | { op: 'commit'; notes: bigint[]; nullifiers: bigint[]; writes: { slot: bigint; value: bigint }[] }
  | { op: 'unwind'; blocks: number }
  | { op: 'oldFork'; back: number; value: bigint };

const field = fc.bigInt({ min: 1n, max: 2n ** 253n });
const small = fc.bigInt({ min: 1n, max: 40n });
const slot = fc.bigInt({ min: 1n, max: 12n });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('append' as const), tree: fc.constantFrom('note' as const, 'msg' as const), leaves: fc.array(field, { minLength: 1, maxLength: 5 }) }),
  fc.record({ op: fc.constant('nullify' as const), values: fc.array(fc.oneof(small, field), { minLength: 1, maxLength: 3 }) }),
  fc.record({ op: fc.constant('write' as const), slot, value: fc.oneof(fc.constant(0n), field) }),
  fc.record({ op: fc.constant('path' as const), tree: fc.constantFrom(...[0, 1, 2, 3, 4] as TreeId[]), index: fc.nat({ max: 15 }) }),
  fc.record({ op: fc.constant('low' as const), value: fc.oneof(small, field) }),
  fc.record({ op: fc.constant('read' as const), slot }),
  fc.record({
    op: fc.constant('commit' as const),
    notes: fc.array(field, { maxLength: 4 }),
    nullifiers: fc.uniqueArray(fc.oneof(small, field), { maxLength: 3 }),
    writes: fc.array(fc.record({ slot, value: field }), { maxLength: 2 }),
  }),
  fc.record({ op: fc.constant('unwind' as const), blocks: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ op: fc.constant('oldFork' as const), back: fc.nat({ max: 3 }), value: fc.oneof(small, field) }),
);

/** Runs `a` and `b`; both must throw, or both return equal results. */
async function same<T>(a: () => Promise<T>, b: () => T, what: string): Promise<void> {
  let ra: T | undefined, rb: T | undefined, ea: unknown, eb: unknown;
  try {
    ra = await a();
  } catch (e) {
    ea = e;
  }
  try {
    rb = b();
  } catch (e) {
    eb = e;
  }
  assert.equal(ea !== undefined, eb !== undefined, `${what}: one threw (${String(ea ?? eb)})`);
  if (ea === undefined) assert.deepEqual(ra, rb, what);
}

test('random operation sequences match the reference trees', { timeout: 120_000 }, async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
      const d = tempDir(`ws-prop-${run++}-`);
      const ws = await LmdbWorldState.open(d.path, { heights: HEIGHTS, genesis: { publicData: [{ slot: 3n, value: 9n }] } });
      try {
        const committed: ReferenceWorld[] = [new ReferenceWorld(HEIGHTS, [{ slot: 3n, value: 9n }])];
        let fork: WorldStateView = await ws.fork();
        let ref = committed[0].clone();
        const top = () => committed[committed.length - 1];
        for (const o of ops) {
          switch (o.op) {
            case 'append': {
              const [id, t] = o.tree === 'note' ? [TreeId.NOTE_HASH, ref.noteHash] : [TreeId.L1_TO_L2_MESSAGES, ref.l1ToL2];
              await same(() => fork.appendLeaves(id as TreeId.NOTE_HASH, o.leaves), () => t.appendLeaves(o.leaves), 'append');
              break;
            }
            case 'nullify': {
              const clone = ref.nullifier.clone();
              await same(
                () => fork.insertNullifiers(o.values),
                () => {
                  const seen = new Set<bigint>();
                  for (const v of o.values) {
                    if (seen.has(v) || clone.findLeafIndex(v) !== undefined) throw new Error('exists');
                    seen.add(v);
                  }
                  return o.values.map((v) => ref.nullifier.insert(v));
                },
                'nullifier witnesses',
              );
              break;
            }
            case 'write':
              await same(() => fork.writePublicData(o.slot, o.value), () => ref.publicData.write(o.slot, o.value), 'public data witness');
              break;
            case 'path': {
              const t = [ref.l1ToL2, ref.noteHash, ref.nullifier, ref.publicData, ref.archive][o.tree];
              const index = o.index % 2 ** HEIGHTS[o.tree];
              await same(() => fork.getSiblingPath(o.tree, index), () => t.getSiblingPath(index), 'sibling path');
              break;
            }
            case 'low':
              await same(() => fork.findLowNullifier(o.value), () => ref.nullifier.findLowLeaf(o.value), 'low nullifier');
              break;
            case 'read':
              await same(() => fork.readPublicDataWithWitness(o.slot), () => ref.publicData.readWithWitness(o.slot), 'public data read');
              break;
            case 'commit': {
              const next = top().clone();
              const n = committed.length;
              const e: BlockTreeEffects = {
                blockNumber: n,
                noteHashes: o.notes,
                nullifiers: o.nullifiers,
                publicDataWrites: o.writes,
                l1ToL2Messages: [BigInt(n), 0n],
                blockHash: BigInt(1000 + n),
              };
              let ok = true;
              try {
                next.noteHash.appendLeaves(e.noteHashes);
                for (const v of e.nullifiers) next.nullifier.insert(v);
                for (const w of e.publicDataWrites) next.publicData.write(w.slot, w.value);
                next.l1ToL2.appendLeaves(e.l1ToL2Messages);
                next.archive.appendLeaves([e.blockHash]);
              } catch {
                ok = false;
              }
              if (ok) {
                assert.deepEqual(await ws.commitBlock(e, next.state()), next.state(), 'committed state');
                committed.push(next);
              } else {
                await assert.rejects(ws.commitBlock(e));
              }
              await fork.close();
              fork = await ws.fork();
              ref = top().clone();
              break;
            }
            case 'unwind': {
              const to = Math.max(0, committed.length - 1 - o.blocks);
              await ws.unwindTo(to);
              committed.length = to + 1;
              await fork.close();
              fork = await ws.fork();
              ref = top().clone();
              break;
            }
            case 'oldFork': {
              const b = Math.max(0, committed.length - 1 - o.back);
              const old = await ws.fork(b);
              const r = committed[b].clone();
              await same(() => old.insertNullifiers([o.value]), () => [r.nullifier.insert(o.value)], 'old fork insertion');
              assert.deepEqual(await old.getStateReference(), r.state(), 'old fork state');
              assert.deepEqual(await ws.getSnapshot(b).getStateReference(), committed[b].state(), 'snapshot');
              await old.close();
              break;
            }
          }
          assert.deepEqual(await fork.getStateReference(), ref.state(), `state after ${o.op}`);
        }
        assert.deepEqual(await ws.getCommitted().getStateReference(), top().state());
        await fork.close();
      } finally {
        await ws.close();
        d.cleanup();
      }
    }),
    { numRuns: 40 },
  );
});
