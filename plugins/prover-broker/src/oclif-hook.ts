import type { Hook } from '@oclif/core';
import { proverBrokerPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [proverBrokerPlugin];
export default hook;
