import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { L1Connection } from '@quetzal/protocol/l1-connection';

interface Log {
  warn(o: object, m: string): void;
}

/**
 * Ties a plugin's data directory to the deployment its data was derived from. A directory from
 * another deployment is wiped on the anvil chain (a restarted local network is a new chain with the
 * same addresses) and refused elsewhere.
 */
export function bindDataDir(dir: string, l1: L1Connection, log: Log): void {
  const d = l1.deployment;
  const identity = `${d.chainId}:${d.addresses.rollup}:${d.deployBlock}:${d.genesisTime}`;
  const file = join(dir, 'l1-deployment.id');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored === identity) return;
    if (!l1.isDevChain) {
      throw new Error(`${dir} holds data of another L1 deployment (${stored}; now ${identity}): use another --data-dir, or delete it`);
    }
    log.warn({ dir, stored, now: identity }, 'data of a previous local L1 chain: starting afresh');
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, identity + '\n');
}
