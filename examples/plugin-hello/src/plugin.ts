import 'reflect-metadata';
import { definePlugin } from '@quetzal/kernel/plugin';
import { option } from '@quetzal/kernel/options';
import { Greeter } from './greeter.js';

export const helloPlugin = definePlugin({
  name: 'hello',
  description: 'Example third-party plugin',
  role: { description: 'greets on an interval and counts it in /metrics' },
  options: {
    greeting: option.string({ description: 'What to say', env: 'HELLO_GREETING', default: 'hello from a plugin' }),
    intervalMs: option.int({ description: 'Time between greetings', env: 'HELLO_INTERVAL_MS', default: 1000, min: 10 }),
  },
  async start(ctx) {
    const greeter = ctx.construct(Greeter);
    greeter.start(ctx.config.greeting, ctx.config.intervalMs);
    return { stop: async () => greeter.stop() };
  },
});
