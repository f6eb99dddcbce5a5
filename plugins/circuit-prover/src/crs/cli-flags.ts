// oclif flags and a logger shared by the CRS / VK commands (`crs generate|info`, `circuits vks`),
// spelled like the node's options so the same values work everywhere.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import { createLogging, type Logger } from '@quetzal/kernel/logging';
import { Redactor } from '@quetzal/kernel/redaction';
import { CRS_MODES, type CrsMode } from './crs-manager.js';

export const crsFlags = {
  crs: Flags.string({ description: 'CRS mode: dev (INSECURE, generated from a public seed) or ignition (provisioned files)', options: [...CRS_MODES], default: 'dev', env: 'QUETZAL_CRS' }),
  'crs-path': Flags.string({ description: 'CRS directory (bn254_g1.dat, bn254_g2.dat): required for ignition; default for dev: <data-dir>/crs/dev', env: 'QUETZAL_CRS_PATH' }),
  'data-dir': Flags.string({ description: 'Data directory (dev CRS and VK cache)', env: 'DATA_DIRECTORY', default: join(homedir(), '.quetzal') }),
};

export function crsMode(value: string): CrsMode {
  if (!(CRS_MODES as readonly string[]).includes(value)) throw new Error(`--crs must be one of ${CRS_MODES.join(', ')}, got "${value}"`);
  return value as CrsMode;
}

export function commandLogger(): Logger {
  return createLogging({ level: process.env.LOG_LEVEL ?? 'info', redactor: new Redactor() }).root;
}
