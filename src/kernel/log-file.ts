// The node's own log file in its data directory (for `quetzal doctor --bundle` and for operators
// without a log collector): JSON lines, bounded in size by rotation (quetzal.log, quetzal.log.1, ...).
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const LOG_FILE_NAME = 'quetzal.log';

export interface RotatingLogFileOptions {
  path: string;
  /** Rotate once the current file reaches this size. */
  maxBytes: number;
  /** Files kept in all, the current one included. */
  maxFiles: number;
}

/** A pino destination that appends lines to `path` and rotates it; a write error never reaches the logger's caller. */
export class RotatingLogFile {
  private fd: number | undefined;
  private size = 0;
  private failed = false;

  constructor(private readonly options: RotatingLogFileOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.open();
  }

  write(line: string): void {
    if (this.fd === undefined) return;
    try {
      const bytes = Buffer.byteLength(line);
      if (this.size > 0 && this.size + bytes > this.options.maxBytes) this.rotate();
      this.size += writeSync(this.fd, line);
    } catch (err) {
      // A full disk must not stop the node; say it once on stderr.
      if (!this.failed) process.stderr.write(`cannot write the log file ${this.options.path}: ${(err as Error).message}\n`);
      this.failed = true;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(): void {
    this.fd = openSync(this.options.path, 'a');
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    const { path, maxFiles } = this.options;
    rmSync(`${path}.${maxFiles - 1}`, { force: true });
    for (let i = maxFiles - 2; i >= 1; i--) if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    if (maxFiles > 1) renameSync(path, `${path}.1`);
    else rmSync(path, { force: true });
    this.open();
  }
}

/** The log files under `dir`, oldest first (quetzal.log.N ... quetzal.log). */
export function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const rank = (f: string) => (f === LOG_FILE_NAME ? 0 : Number(f.slice(LOG_FILE_NAME.length + 1)));
  return readdirSync(dir)
    .filter((f) => f === LOG_FILE_NAME || /^quetzal\.log\.\d+$/.test(f))
    .sort((a, b) => rank(b) - rank(a))
    .map((f) => join(dir, f));
}
