import type { Hook } from '@oclif/core';
import { l1ClientPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [l1ClientPlugin];
export default hook;
