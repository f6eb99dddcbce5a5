// `@quetzal/protocol/block`: header, tx effects, body, L2Block and the block-level hashes.
export * from './block/index.js';
