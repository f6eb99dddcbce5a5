export { Sequencer, type SequencerConfig } from './sequencer.js';
export { TxPool } from './tx-pool.js';
export { buildBlock } from './block-builder.js';
export { validateTx, simulatedProofCheck, type TxProofCheck } from './tx-validator.js';
export { QuoteBook, QuoteRejectedError } from './quote-book.js';
export { TxBot } from './bot.js';
export { createNodeClient, registerNodeRpc } from './node-rpc.js';
export { sequencerPlugin, botPlugin } from './plugin.js';
