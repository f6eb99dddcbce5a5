import type { Hook } from '@oclif/core';
import { worldStatePlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [worldStatePlugin];
export default hook;
