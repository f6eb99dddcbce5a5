// The prover node against anvil, for tests: the contracts deployed for the fixture chain's genesis,
// an archiver following them, the in-process broker and agents, an LMDB world state following the
// archiver, and prover nodes wired to all of it (quotes captured, simulated proofs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Archiver, ArchiverStore } from '@quetzal/archiver';
import { RollupContract } from '@quetzal/l1';
import { ensureCircuitsBuilt } from '@quetzal/protocol/circuits/fixtures';
import type { SignedEpochProofQuote } from '@quetzal/protocol/quote';
import type { Tx } from '@quetzal/protocol/tx';
import { FixedQuoteProvider, L1EpochProofPublisher, ProverNode, SIMULATED_PROVING_SECONDS, type ProverNodeOptions } from '@quetzal/prover-node';
import { setup, type Env } from '../l1/harness.js';
import { keys, MapTxProvider, newChain, simulatedTxProofs, syncedWorldState, vkTree, type Chain } from './epoch-fixture.js';
import { startStack, type Stack } from './stack.js';

export const PROVER = 2;
export const PROPOSER = 1;
export const quiet = pino({ level: 'silent' });

export interface L1ProverEnv {
  env: Env;
  /** The chain whose genesis the Rollup was deployed with. */
  chain: Chain;
  archiver: Archiver;
  stack: Stack;
  ws: Awaited<ReturnType<typeof syncedWorldState>>;
  /** Every quote a node made by `proverNode` sent. */
  quotes: SignedEpochProofQuote[];
  /** A prover node (account PROVER) on this environment; its txs come from `txs`. */
  proverNode(txs: Map<bigint, Tx>, overrides?: Partial<ProverNodeOptions>): ProverNode;
  stop(): Promise<void>;
}

export async function startL1ProverEnv(agents = 2): Promise<L1ProverEnv> {
  await ensureCircuitsBuilt();
  const chain = newChain();
  const env = await setup({ vkTreeRoot: vkTree.root, genesisArchiveRoot: chain.world.archive.root() });
  const dir = mkdtempSync(join(tmpdir(), 'qz-pn-l1-'));
  const store = new ArchiverStore(join(dir, 'archiver'));
  const archiver = new Archiver(env.client, env.deployment, store, { batchSize: 100, pollingIntervalMs: 50 }, quiet);
  const stack = await startStack({ agents });
  const ws = await syncedWorldState(chain, archiver);
  const quotes: SignedEpochProofQuote[] = [];
  return {
    env,
    chain,
    archiver,
    stack,
    ws,
    quotes,
    proverNode(txs, overrides = {}) {
      const rollup = new RollupContract(env.client, env.deployment.addresses.rollup);
      const sender = env.sender(PROVER);
      return new ProverNode({
        client: env.client,
        rollup,
        chainId: 31337,
        sender,
        blockSource: archiver,
        worldState: ws.sync,
        producer: stack.producer,
        txProvider: new MapTxProvider(txs),
        txProofs: simulatedTxProofs,
        provingSeconds: SIMULATED_PROVING_SECONDS,
        quoteSink: { submitEpochProofQuote: async (q) => void quotes.push(q) },
        quoteProvider: new FixedQuoteProvider({ basisPointFee: 500, bondAmount: 200n }),
        publisher: new L1EpochProofPublisher({ rollup, sender, proverAddress: sender.address, retryIntervalMs: 100 }),
        keys,
        proverId: BigInt(sender.address),
        pollingIntervalMs: 100,
        logger: quiet,
        ...overrides,
      });
    },
    async stop() {
      await stack.stop();
      await ws.close();
      await store.close();
      await env.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
