// The doctor's archiver check: how far behind the L1 head the archiver (ours, or the remote one of
// --archiver.url) has synced.
import { fail, pass, warn, type CheckContext, type DoctorCheck } from '@quetzal/kernel/doctor';
import { createL2BlockSourceClient } from '@quetzal/protocol/l2-block-source';
import { Tokens } from '@quetzal/protocol/tokens';

/** L1 seconds the archiver may trail the head (a few polls) before the prover sees epochs late. */
export const SYNC_LAG_WARN_S = 60;
export const SYNC_LAG_FAIL_S = 600;

export function archiverChecks(ctx: CheckContext<{ url?: string }>): DoctorCheck[] {
  return [
    {
      name: 'archiver-sync',
      run: async () => {
        const url = ctx.config.url ?? (await ctx.node()).url;
        const archiver = createL2BlockSourceClient(url, { timeoutMs: 5000, retries: 0 });
        const synced = await archiver.getSyncedL1Block();
        const head = await (await ctx.resolve(Tokens.L1)).client.getBlock();
        const lag = Number(head.timestamp - synced.timestamp);
        const shown = `${ctx.config.url ? `the archiver at ${url}` : 'the archiver'} synced L1 block ${synced.number}, ${head.number - synced.number} blocks (${lag} s) behind the head`;
        const fix = 'check the L1 RPC (rate limits, errors in the log), or --archiver.batch-size; a first start catches up from the deployment block';
        if (lag > SYNC_LAG_FAIL_S) return fail(shown, fix);
        if (lag > SYNC_LAG_WARN_S) return warn(shown, fix);
        return pass(shown);
      },
    },
  ];
}
