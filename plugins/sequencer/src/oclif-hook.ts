import type { Hook } from '@oclif/core';
import { botPlugin, sequencerPlugin } from './plugin.js';
import { txPoolPlugin } from './tx-pool-plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [sequencerPlugin, botPlugin, txPoolPlugin];
export default hook;
