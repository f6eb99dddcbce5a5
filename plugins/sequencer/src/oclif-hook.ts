import type { Hook } from '@oclif/core';
import { botPlugin, sequencerPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [sequencerPlugin, botPlugin];
export default hook;
