import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Logger } from './logging.js';
import type { CoreConfig } from './core-plugins.js';
import { CheckPrerequisiteError, CheckResources, type CheckContext } from './doctor.js';
import { Redactor } from './redaction.js';

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A doctor check context for tests: the given config, a throwaway data dir, no running node unless given. */
export function testCheckContext<C>(config: C, overrides: Partial<CheckContext<C>> & { core?: Partial<CoreConfig> } = {}): CheckContext<C> {
  const resources = new CheckResources();
  const { core, ...rest } = overrides;
  const dataDir = core?.dataDir ?? mkdtempSync(join(tmpdir(), 'qz-check-'));
  return {
    mode: 'role',
    config,
    core: { port: 0, host: '127.0.0.1', dataDir, network: 'local', logLevel: 'info', logFileMaxMb: 0, logFileCount: 1, stopTimeoutMs: 1000, ...core } as CoreConfig,
    configOf: () => {
      throw new Error('configOf: not set in this test');
    },
    redactor: new Redactor(),
    dataDir,
    node: async () => {
      throw new CheckPrerequisiteError('no node in this test', 'start one');
    },
    provide: (token, make) => resources.provide(token, make),
    resolve: (token) => resources.resolve(token),
    ...rest,
  };
}
