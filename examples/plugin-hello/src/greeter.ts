import { inject, injectable } from 'tsyringe';
import { Counter, type Registry } from 'prom-client';
import { KernelTokens } from '@quetzal/kernel/kernel-tokens';
import type { Logger } from '@quetzal/kernel/logging';

/** The plugin's service: greets on an interval and counts greetings in the kernel's metrics registry. */
@injectable()
export class Greeter {
  private readonly logger: Logger;
  private readonly greetings: Counter;
  private timer: NodeJS.Timeout | undefined;

  constructor(@inject(KernelTokens.Logging) logging: { forModule(module: string): Logger }, @inject(KernelTokens.Metrics) registry: Registry) {
    this.logger = logging.forModule('hello');
    this.greetings = new Counter({ name: 'quetzal_hello_greetings_total', help: 'Greetings sent by the hello plugin', registers: [registry] });
  }

  start(greeting: string, intervalMs: number): void {
    const greet = () => {
      this.greetings.inc();
      this.logger.info(greeting);
    };
    greet();
    this.timer = setInterval(greet, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
