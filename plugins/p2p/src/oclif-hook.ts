import type { Hook } from '@oclif/core';
import { p2pPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [p2pPlugin];
export default hook;
