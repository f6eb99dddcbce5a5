import Start from './start.js';
import ConfigShow from './config/show.js';
import CircuitsGates from './circuits/gates.js';
import L1Anvil from './l1/anvil.js';
import L1Deploy from './l1/deploy.js';

/** Every built-in command (oclif's explicit command strategy: no directory scanning at start-up). */
export const COMMANDS = {
  start: Start,
  'config:show': ConfigShow,
  'circuits:gates': CircuitsGates,
  'l1:anvil': L1Anvil,
  'l1:deploy': L1Deploy,
};
