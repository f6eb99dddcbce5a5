import type { Hook } from '@oclif/core';
import { helloPlugin } from './plugin.js';

const hook: Hook<'quetzal:plugins'> = async () => [helloPlugin];
export default hook;
