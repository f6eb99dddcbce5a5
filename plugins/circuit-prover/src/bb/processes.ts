// The bb processes a process started, from /proc (Linux): for tests that a cancel or a stop ends
// bb, and for the benchmark's peak-RSS figures. Empty where /proc does not exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface BbProcess {
  pid: number;
  /** Peak resident set (VmHWM), MiB. */
  peakRssMiB: number;
}

/** The live bb children of `parent` (default: this process). */
export function bbChildren(parent = process.pid): BbProcess[] {
  if (!existsSync('/proc')) return [];
  const out: BbProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let status: string;
    try {
      status = readFileSync(`/proc/${entry}/status`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (!/^Name:\s+bb$/m.test(status) || Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== parent) continue;
    if (/^State:\s+Z/m.test(status)) continue; // killed, not yet reaped
    out.push({ pid: Number(entry), peakRssMiB: Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024 });
  }
  return out;
}
