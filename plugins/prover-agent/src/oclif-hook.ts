import type { Hook } from '@oclif/core';
import { proverAgentPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [proverAgentPlugin];
export default hook;
