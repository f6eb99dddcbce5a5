// The kernel's own JSON-RPC namespace: what a process runs, for `quetzal doctor` and the dashboard.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export const KERNEL_RPC_NAMESPACE = 'kernel';

export const zKernelInfo = z.object({
  /** Quetzal's version (package.json). */
  version: z.string(),
  nodeVersion: z.string(),
  pid: z.number().int(),
  /** Unix ms. */
  startedAt: z.number(),
  ready: z.boolean(),
  /** The plugins running, in start order, and why each runs. */
  plugins: z.array(z.object({ name: z.string(), mode: z.enum(['role', 'client', 'dependency']) })),
  /** Every JSON-RPC method this process serves. */
  methods: z.array(z.string()),
});
export type KernelInfo = z.infer<typeof zKernelInfo>;

export const KernelApiSchema = {
  getInfo: { params: z.tuple([]), result: zKernelInfo },
};

export const QUETZAL_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
