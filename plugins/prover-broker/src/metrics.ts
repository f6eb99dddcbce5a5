import { Counter, Gauge, type Registry } from 'prom-client';
import type { ProvingBrokerService } from './service.js';

/**
 * Prometheus metrics of a broker, read from it at scrape time (nothing on the hot path):
 * jobs by state, and cumulative counters (enqueued, proved, failed, retried, timed out, ignored
 * reports, cancelled, garbage-collected).
 */
export function registerProvingBrokerMetrics(registry: Registry, broker: ProvingBrokerService, prefix = 'quetzal_prover_broker_'): void {
  new Gauge({
    name: `${prefix}jobs`,
    help: 'Proving jobs known to the broker, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const s = await broker.stats();
      this.set({ state: 'queued' }, s.queued);
      this.set({ state: 'in-progress' }, s.inProgress);
      this.set({ state: 'fulfilled' }, s.fulfilled);
      this.set({ state: 'rejected' }, s.rejected);
    },
  });
  const counters: Array<[keyof ProvingBrokerService['counters'], string]> = [
    ['enqueued', 'Jobs enqueued (new ids only)'],
    ['proved', 'Jobs settled with a proof'],
    ['failed', 'Jobs settled as failed'],
    ['retried', 'Retryable failures put back in the queue'],
    ['timedOut', 'Jobs whose agent stopped heartbeating'],
    ['ignoredReports', 'Reports from agents that no longer own their job'],
    ['cancelled', 'Jobs cancelled by id'],
    ['collected', 'Jobs garbage-collected with their epoch'],
    ['promoted', 'Speculative jobs promoted to claimed work'],
  ];
  for (const [key, help] of counters) {
    const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    let last = 0;
    new Counter({
      name: `${prefix}${snake}_total`,
      help,
      registers: [registry],
      collect() {
        const now = broker.counters[key];
        if (now > last) this.inc(now - last);
        last = now;
      },
    });
  }
}
