import { pino } from 'pino';
import type { Logger } from './logging.js';

/** A logger that writes nothing, for tests. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
