// Runs one of the l1 commands without the CLI's command index: `node --import tsx test/l1/run-command.ts anvil|deploy ARGS...`
import { settings } from '@oclif/core';
import { fileURLToPath } from 'node:url';

settings.enableAutoTranspile = false;
const [name, ...argv] = process.argv.slice(2);
const root = fileURLToPath(new URL('../..', import.meta.url));
const mod = name === 'anvil' ? await import('../../src/cli/commands/l1/anvil.js') : await import('../../src/cli/commands/l1/deploy.js');
await mod.default.run(argv, root);
