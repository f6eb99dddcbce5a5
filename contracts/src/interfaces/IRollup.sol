// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @notice A prover's signed bid (SPEC.md "EpochProofQuote (EIP-712)").
struct EpochProofQuote {
  uint256 epochToProve;
  uint256 validUntilSlot;
  uint256 bondAmount;
  address prover;
  uint32 basisPointFee;
}

/// @notice What the prover states along with the root proof; the Rollup compares it with storage.
struct EpochProofArgs {
  uint256 epoch;
  bytes32 previousArchive;
  bytes32 endArchive;
  address proverId;
}

/// @notice What L1 keeps per L2 block.
struct BlockLog {
  bytes32 archive;
  bytes32 headerHash;
  bytes32 outHash;
  uint128 totalFees;
  /// @dev totalFees of this block and the earlier blocks of its epoch (the circuits refuse a sum >= 2^128).
  uint128 epochFees;
  address coinbase;
  uint64 slotNumber;
  uint32 numTxs;
}

enum ClaimStatus {
  None,
  Active,
  Proven,
  Slashed,
  Released
}

struct EpochProofClaim {
  uint256 bondAmount;
  address prover;
  uint32 basisPointFee;
  ClaimStatus status;
  address proposer;
  uint64 claimedAtSlot;
}

enum PruneReason {
  None,
  Unclaimed,
  Unproven
}

struct RollupConfig {
  address verifier;
  address inbox;
  address outbox;
  address escrow;
  address token;
  address owner;
  /// @dev L1 time of slot 0; 0 means the deployment block's timestamp.
  uint256 genesisTime;
  uint256 slotDuration;
  uint256 epochDuration;
  uint256 claimWindow;
  uint256 proofSubmissionWindow;
  bytes32 vkTreeRoot;
  bytes32 genesisArchiveRoot;
  uint256 version;
  uint256 blockReward;
  uint256 minimumBond;
  address[] sequencers;
}

interface IRollupErrors {
  // config
  error InvalidSlotDuration();
  error InvalidEpochDuration(uint256 epochDuration, uint256 max);
  error InvalidClaimWindow(uint256 claimWindow, uint256 epochDuration);
  error InvalidProofSubmissionWindow(uint256 proofSubmissionWindow, uint256 claimWindow);
  error GenesisInFuture(uint256 genesisTime, uint256 now_);
  error NotOwner(address caller);
  /// @dev A value the circuits take as a Field (VK tree root, genesis archive root, version) is not below the BN254 scalar modulus.
  error FieldOutOfRange(uint256 value);
  error ZeroVerifier();
  /// @dev A change of the same setting is scheduled and epochs under the value before it can still be proven.
  error ChangeAlreadyScheduled(uint256 fromEpoch, uint256 settledAtSlot);
  // propose
  error NotProposer(address expected, address caller);
  error InvalidHeaderLength(uint256 expected, uint256 given);
  error InvalidChainId(uint256 expected, uint256 given);
  error InvalidVersion(uint256 expected, uint256 given);
  error InvalidBlockNumber(uint256 expected, uint256 given);
  error InvalidLastArchive(bytes32 expected, bytes32 given);
  error InvalidLastArchiveIndex(uint256 expected, uint256 given);
  error InvalidSlot(uint256 currentSlot, uint256 given);
  error SlotNotAfterParent(uint256 parentSlot, uint256 given);
  error InvalidTimestamp(uint256 expected, uint256 given);
  error TooManyTxs(uint256 max, uint256 given);
  error InvalidBodyLength(uint256 expected, uint256 given);
  error InvalidTxsEffectsHash(bytes32 expected, bytes32 given);
  error InvalidOutHash(bytes32 expected, bytes32 given);
  error InvalidInHash(bytes32 expected, bytes32 given);
  error InvalidCoinbase(uint256 given);
  /// @dev The archive root must be a non-zero Field.
  error InvalidArchive(bytes32 given);
  // propose: what the circuits could not prove (capacity and field ranges)
  error BlockNumberBeyondCapacity(uint256 maxBlockNumber, uint256 blockNumber);
  error InvalidL1ToL2MessageTreeIndex(uint256 expected, uint256 given);
  /// @param word the header word (SPEC.md "Block") holding the tree's next index
  error TreeIndexBeyondCapacity(uint256 word, uint256 capacity, uint256 given);
  error HeaderFieldOutOfRange(uint256 word, uint256 value);
  error BodyFieldOutOfRange(uint256 txIndex, uint256 word, uint256 value);
  error TxFeeOutOfRange(uint256 txIndex, uint256 fee);
  error TxWithoutNullifier(uint256 txIndex);
  error L2ToL1MessageOutOfRange(uint256 txIndex, uint256 messageIndex, uint256 leaf);
  error InvalidTotalFees(uint256 expected, uint256 given);
  error EpochFeesOutOfRange(uint256 epochFees);
  // claim
  error NotClaimableEpoch(uint256 currentEpoch, uint256 epochToProve);
  error NotInClaimWindow(uint256 slotInEpoch, uint256 claimWindow);
  error InvalidQuoteSignature(address expectedProver, address recovered);
  error QuoteExpired(uint256 validUntilSlot, uint256 currentSlot);
  error FeeTooHigh(uint256 basisPointFee, uint256 max);
  error BondTooLow(uint256 bondAmount, uint256 minimum);
  error BondNotFunded(address prover, uint256 available, uint256 required);
  error EpochAlreadyClaimed(uint256 epoch, address prover);
  error NothingToProve(uint256 epoch);
  // proof
  error EpochNotComplete(uint256 epoch, uint256 currentEpoch);
  error EpochNotClaimed(uint256 epoch);
  error PreviousEpochNotProven(uint256 firstBlockOfEpoch, uint256 provenBlockNumber);
  error ProofDeadlinePassed(uint256 deadlineSlot, uint256 currentSlot);
  error InvalidPreviousArchive(bytes32 expected, bytes32 given);
  error InvalidEndArchive(bytes32 expected, bytes32 given);
  error InvalidProverId(address expected, address given);
  error InvalidProof();
  // prune
  error NothingToPrune();
}

interface IRollup is IRollupErrors {
  event L2BlockProposed(uint256 indexed blockNumber, bytes32 indexed archive, bytes32 headerHash, uint256 slotNumber);
  event ProofRightClaimed(uint256 indexed epoch, address indexed prover, address indexed proposer, uint256 bondAmount, uint256 basisPointFee);
  event L2ProofVerified(uint256 indexed blockNumber, address indexed proverId, uint256 indexed epoch);
  event PrunedPending(uint256 provenBlockNumber, uint256 pendingBlockNumber, uint256 indexed epoch, PruneReason reason);
  event RewardPaid(uint256 indexed blockNumber, address indexed coinbase, uint256 coinbaseAmount, address indexed prover, uint256 proverAmount);
  event SequencersScheduled(address[] sequencers, uint256 fromEpoch);
  event VkTreeRootScheduled(bytes32 vkTreeRoot, uint256 fromEpoch);
  event VerifierScheduled(address verifier, uint256 fromEpoch);

  function propose(bytes calldata header, bytes32 archive, bytes calldata body) external;
  function claimEpochProofRight(EpochProofQuote calldata quote, bytes calldata signature) external;
  function submitEpochRootProof(EpochProofArgs calldata args, bytes calldata proof) external;
  function prune() external;

  function getCurrentSlot() external view returns (uint256);
  function getCurrentEpoch() external view returns (uint256);
  function getPendingBlockNumber() external view returns (uint256);
  function getProvenBlockNumber() external view returns (uint256);
  function getBlock(uint256 blockNumber) external view returns (BlockLog memory);
  function getEpochForBlock(uint256 blockNumber) external view returns (uint256);
  function getEpochProofPublicInputs(EpochProofArgs calldata args) external view returns (bytes32[] memory);
}
