// A remote broker that refuses the prover node's bearer token is not an outage: retrying cannot
// help until the operator fixes the token. The watch tells the two apart from the client's typed
// error, keeps the node unready while refused, and says which option to fix.
import { RpcUnauthorizedError } from '@quetzal/kernel/jsonrpc/errors';
import type { Logger } from '@quetzal/kernel/logging';
import type { ProvingJobProducer } from '@quetzal/protocol/proving-jobs';

const LOG_EVERY_MS = 30_000;
/** A job id no producer makes (no inputs hash to zero): asking for it only tests access. */
const PROBE_ID = `0:parity-base:${'0'.repeat(64)}`;

export class BrokerAccess {
  private refusedSince: number | undefined;
  private lastLog = 0;

  constructor(private readonly logger: Logger) {}

  get refused(): boolean {
    return this.refusedSince !== undefined;
  }

  /** The producer, with every call's outcome observed. */
  watch(producer: ProvingJobProducer): ProvingJobProducer {
    return new Proxy(producer, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => this.observe((value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  }

  /** One call at start, so that a wrong token shows before the first epoch needs the broker. */
  async probe(producer: ProvingJobProducer): Promise<void> {
    await producer.getProvingJobStatus(PROBE_ID).catch(() => undefined);
  }

  private async observe<T>(call: Promise<T>): Promise<T> {
    try {
      const value = await call;
      if (this.refusedSince !== undefined) this.logger.info('the broker accepts the prover node\'s token again');
      this.refusedSince = undefined;
      return value;
    } catch (err) {
      if (err instanceof RpcUnauthorizedError) this.onRefused();
      throw err;
    }
  }

  private onRefused(): void {
    const now = Date.now();
    this.refusedSince ??= now;
    if (now - this.lastLog < LOG_EVERY_MS) return;
    this.lastLog = now;
    this.logger.error(
      { refusedForMs: now - this.refusedSince },
      'the broker refused the prover node\'s bearer token: pass the broker\'s token as --prover-node.broker-auth-token; not ready until it is accepted',
    );
  }
}
