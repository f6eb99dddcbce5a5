// The doctor's broker checks, for every role that talks to a broker: it answers, it accepts the
// configured token, and (for the side that produces jobs) agents are taking work.
import { fail, pass, type CheckOutcome, type DoctorCheck } from '@quetzal/kernel/doctor';
import { createJsonRpcClient } from '@quetzal/kernel/jsonrpc/client';
import { RpcErrorCode, RpcRemoteError } from '@quetzal/kernel/jsonrpc/errors';
import { PROVING_BROKER_RPC_NAMESPACE, ProvingBrokerStatusSchema, ProvingJobProducerSchema } from '@quetzal/protocol/proving-jobs';

/** An agent that has not polled for this long is not taking work (agents poll every 100 ms by default). */
export const AGENT_SEEN_WITHIN_MS = 60_000;

export interface BrokerTarget {
  url: () => Promise<string>;
  token: string | undefined;
  /** The flag that sets the token, for the fix. */
  tokenFlag: string;
}

export function brokerChecks(target: BrokerTarget, options: { agents: boolean }): DoctorCheck[] {
  const checks: DoctorCheck[] = [{ name: 'broker', run: () => checkBroker(target) }];
  if (options.agents) checks.push({ name: 'agents', run: async () => checkAgents(await target.url(), target.token) });
  return checks;
}

/** The checks of every broker URL a role is given (one set, or one per URL named by it). */
export function remoteBrokerChecks(urls: readonly string[] | undefined, token: string | undefined, tokenFlag: string, options: { agents: boolean }): DoctorCheck[] {
  const list = urls ?? [];
  return list.flatMap((url) =>
    brokerChecks({ url: async () => url, token, tokenFlag }, options).map((c) => (list.length > 1 ? { ...c, name: `${c.name} ${url}` } : c)),
  );
}

async function checkBroker(target: BrokerTarget): Promise<CheckOutcome> {
  const url = await target.url();
  const client = createJsonRpcClient(url, PROVING_BROKER_RPC_NAMESPACE, ProvingJobProducerSchema, { timeoutMs: 5000, retries: 0, authToken: target.token });
  try {
    await client.getProvingJobStatus(`0:base:${'0'.repeat(64)}`);
  } catch (err) {
    if (err instanceof RpcRemoteError && err.code === RpcErrorCode.Unauthorized) {
      return fail(`the broker at ${url} refuses ${target.token ? 'the configured token' : 'requests without a token'}`, `pass the broker's token with ${target.tokenFlag}`);
    }
    if (err instanceof RpcRemoteError && err.code === RpcErrorCode.MethodNotFound) return fail(`${url} serves no broker`, 'point the broker URL at a node started with --prover-broker');
    return fail(`no broker answers at ${url}: ${(err as Error).message.split('\n')[0]}`, 'start the broker, or fix the broker URL');
  }
  return pass(`the broker at ${url} answers${target.token ? ' and accepts the token' : ''}`);
}

async function checkAgents(url: string, token: string | undefined): Promise<CheckOutcome> {
  // The token too: a standalone broker server guards every method with it.
  const { agents } = await createJsonRpcClient(url, PROVING_BROKER_RPC_NAMESPACE, ProvingBrokerStatusSchema, { timeoutMs: 5000, retries: 0, authToken: token }).getStatus();
  const recent = agents.filter((a) => Date.now() - a.lastSeenAt <= AGENT_SEEN_WITHIN_MS);
  if (recent.length === 0) {
    return fail(
      `no agent asked the broker at ${url} for work in the last ${AGENT_SEEN_WITHIN_MS / 1000} s: claimed epochs would not be proven`,
      `start agents: \`quetzal start --prover-agent --prover-agent.broker-url ${url}\` (or --prover-agent beside the broker)`,
    );
  }
  const proving = recent.filter((a) => a.jobs.length > 0).length;
  return pass(`${recent.length} agent(s) seen (${recent.map((a) => a.id).join(', ')}), ${proving} proving now`);
}
