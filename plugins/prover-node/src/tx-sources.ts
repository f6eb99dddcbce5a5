// The prover node's tx provider: asks its sources in the configured order (by default its own tx pool,
// then peers over request-response, then node URLs), each only for the txs still missing, and keeps a
// tx only when its hash is the one asked for.
import type { Logger } from '@quetzal/kernel/logging';
import type { Tx } from '@quetzal/protocol/tx';
import type { TxProvider } from '@quetzal/protocol/tx-provider';

export const TX_SOURCE_KINDS = ['pool', 'peers', 'nodes'] as const;
export type TxSourceKind = (typeof TX_SOURCE_KINDS)[number];

export interface TxSource extends TxProvider {
  /** Named in logs and in the error for a missing tx; read at the time of the error (e.g. peers connected). */
  describe(): string;
}

export class OrderedTxProvider implements TxProvider {
  constructor(
    private readonly sources: readonly TxSource[],
    private readonly log?: Pick<Logger, 'warn'>,
  ) {}

  async getTxsByHash(hashes: readonly bigint[], options: { signal?: AbortSignal } = {}): Promise<(Tx | undefined)[]> {
    const found = new Map<bigint, Tx>();
    for (const source of this.sources) {
      const missing = [...new Set(hashes.filter((h) => !found.has(h)))];
      if (missing.length === 0) break;
      options.signal?.throwIfAborted();
      try {
        const txs = await source.getTxsByHash(missing, options);
        txs.forEach((tx, i) => {
          if (tx && tx.hash() === missing[i]) found.set(missing[i]!, tx);
        });
      } catch (err) {
        options.signal?.throwIfAborted();
        this.log?.warn({ source: source.describe(), err: (err as Error).message }, 'tx source failed; trying the next');
      }
    }
    return hashes.map((h) => found.get(h));
  }

  describe(): string {
    return this.sources.map((s) => s.describe()).join(', ') || 'no source';
  }
}
