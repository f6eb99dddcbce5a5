import type { Hook } from '@oclif/core';
import { proverNodePlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [proverNodePlugin];
export default hook;
