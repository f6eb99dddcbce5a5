import Start from './start.js';
import ConfigShow from './config/show.js';

/** Every built-in command (oclif's explicit command strategy: no directory scanning at start-up). */
export const COMMANDS = {
  start: Start,
  'config:show': ConfigShow,
};
