// Progress of a long local job: a redrawn bar on a TTY, a log line every `logEveryMs` otherwise.
import type { Logger } from './logging.js';

export interface Progress {
  add(n: number): void;
  done(): void;
}

export function createProgress(opts: { label: string; total: number; logger: Logger; stream?: NodeJS.WriteStream; logEveryMs?: number }): Progress {
  const stream = opts.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const t0 = Date.now();
  const every = opts.logEveryMs ?? 10_000;
  let current = 0;
  let lastLog = t0;
  const eta = () => {
    const elapsed = (Date.now() - t0) / 1000;
    return current > 0 ? Math.round((elapsed * (opts.total - current)) / current) : undefined;
  };
  const draw = () => {
    const width = 30;
    const frac = Math.min(1, current / opts.total);
    const filled = Math.round(frac * width);
    const left = eta();
    stream.write(`\r${opts.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1)}%${left === undefined ? '' : ` ~${left}s left`}   `);
  };
  return {
    add(n) {
      current += n;
      if (tty) draw();
      else if (Date.now() - lastLog >= every) {
        lastLog = Date.now();
        opts.logger.info({ done: current, total: opts.total, elapsedS: Math.round((Date.now() - t0) / 1000), etaS: eta() }, `${opts.label}: ${current}/${opts.total}`);
      }
    },
    done() {
      if (tty) stream.write('\n');
      opts.logger.info({ total: opts.total, elapsedS: Math.round((Date.now() - t0) / 1000) }, `${opts.label}: done`);
    },
  };
}
