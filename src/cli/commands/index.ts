import Start from './start.js';
import ConfigShow from './config/show.js';
import CircuitsGates from './circuits/gates.js';
import L1Anvil from './l1/anvil.js';
import L1Deploy from './l1/deploy.js';
import CrsGenerate from './crs/generate.js';
import CrsInfo from './crs/info.js';
import CircuitsVks from './circuits/vks.js';
import P2PId from './p2p/id.js';
import Doctor from './doctor.js';
import EpochReplay from './epoch/replay.js';

/** Every built-in command (oclif's explicit command strategy: no directory scanning at start-up). */
export const COMMANDS = {
  start: Start,
  'config:show': ConfigShow,
  'circuits:gates': CircuitsGates,
  'l1:anvil': L1Anvil,
  'l1:deploy': L1Deploy,
  'crs:generate': CrsGenerate,
  'crs:info': CrsInfo,
  'circuits:vks': CircuitsVks,
  'p2p:id': P2PId,
  doctor: Doctor,
  'epoch:replay': EpochReplay,
};
