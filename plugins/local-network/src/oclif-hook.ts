import type { Hook } from '@oclif/core';
import { localNetworkPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [localNetworkPlugin];
export default hook;
