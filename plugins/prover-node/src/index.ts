// The prover-node plugin's public entry.
export { proverNodePlugin, PROVER_DEV_ACCOUNT } from './plugin.js';
export { ProverNode, type DeclineReason, type ProverNodeOptions, type QuoteSink } from './prover-node.js';
export { EpochProvingJob, type EpochProofPublisher, type EpochProvingJobOptions, type PublishRequest } from './epoch-proving-job.js';
export { BondManager, type BondManagerOptions } from './bond-manager.js';
export { FixedQuoteProvider, HttpQuoteProvider, type QuoteProvider, type QuoteTerms } from './quote-provider.js';
export { L1EpochProofPublisher, PublicInputsMismatchError, assertSameRootPublicInputs, type L1EpochProofPublisherOptions } from './l1-publisher.js';
export { BlockProcessor, type BlockExecution, type BlockProcessorOptions, type EpochVerdict } from './block-processor.js';
export { BlockRejectedError, BlockMismatchError, type BlockRejection } from './block-check.js';
export { EmptyParityProofs } from './empty-parity.js';
export { ProverNodeMetrics } from './metrics.js';
export { ProveAhead, type ProveAheadOptions } from './prove-ahead.js';
export { ProvingTimePlanner, SIMULATED_PROVING_SECONDS, type ProvingPlan } from './proving-time.js';
export { RecordingProducer, readFailedEpochBundle, writeFailedEpochBundle, zFailedEpochBundle, type FailedEpochBundle } from './failed-epoch.js';
