// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {
  IRollup, EpochProofQuote, EpochProofArgs, BlockLog, ClaimStatus, EpochProofClaim, PruneReason, RollupConfig
} from "./interfaces/IRollup.sol";
import {IVerifier} from "./interfaces/IVerifier.sol";
import {IInbox} from "./interfaces/IInbox.sol";
import {IProofCommitmentEscrow} from "./interfaces/IProofCommitmentEscrow.sol";
import {IMintableERC20} from "./interfaces/IERC20.sol";
import {Constants} from "./libraries/Constants.sol";
import {Hash} from "./libraries/Hash.sol";

/// @notice The Quetzal rollup on L1.
///
/// Time: L2 slot s spans L1 time [genesisTime + s * slotDuration, + slotDuration); epoch e = slots
/// [e * epochDuration, (e + 1) * epochDuration). At most one block per slot.
///
/// Proposers: an owner-managed sequencer set; the proposer of slot s is sequencers[s % n] (round robin).
/// With an empty set anyone may propose (open mode, for local development).
///
/// Proving: epoch N is claimed (a prover's signed quote, accepted by the current proposer) during the first
/// `claimWindow` slots of epoch N + 1, and proven (whole epoch, in order) before slot
/// startSlot(N + 1) + proofSubmissionWindow. Otherwise anyone may `prune()`: pending rolls back to proven and a
/// claimant that failed loses its bond. `propose` prunes first when it can.
contract Rollup is IRollup {
  bytes32 private constant DOMAIN_TYPEHASH =
    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
  bytes32 public constant QUOTE_TYPEHASH = keccak256(
    "EpochProofQuote(uint256 epochToProve,uint256 validUntilSlot,uint256 bondAmount,address prover,uint32 basisPointFee)"
  );
  bytes32 private constant NAME_HASH = keccak256("Quetzal Rollup");
  bytes32 private constant VERSION_HASH = keccak256("1");
  uint256 private constant SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

  uint256 public immutable GENESIS_TIME;
  uint256 public immutable SLOT_DURATION;
  uint256 public immutable EPOCH_DURATION;
  uint256 public immutable CLAIM_WINDOW;
  uint256 public immutable PROOF_SUBMISSION_WINDOW;
  uint256 public immutable VERSION;
  uint256 public immutable BLOCK_REWARD;
  uint256 public immutable MINIMUM_BOND;
  IInbox public immutable INBOX;
  address public immutable OUTBOX;
  IProofCommitmentEscrow public immutable ESCROW;
  IMintableERC20 public immutable TOKEN;
  address public immutable owner;

  IVerifier public verifier;
  bytes32 public vkTreeRoot;
  address[] internal sequencers;

  uint256 internal pendingBlockNumber;
  uint256 internal provenBlockNumber;
  mapping(uint256 blockNumber => BlockLog) internal blocks;
  /// @dev first and last block of each epoch as proposed; valid only while the first is still in the pending chain.
  mapping(uint256 epoch => uint256) internal epochFirstBlock;
  mapping(uint256 epoch => uint256) internal epochLastBlock;
  mapping(uint256 epoch => EpochProofClaim) internal claims;

  constructor(RollupConfig memory c) {
    if (c.slotDuration == 0) revert InvalidSlotDuration();
    if (c.epochDuration == 0 || c.epochDuration > Constants.MAX_BLOCKS_PER_EPOCH) {
      revert InvalidEpochDuration(c.epochDuration, Constants.MAX_BLOCKS_PER_EPOCH);
    }
    if (c.claimWindow == 0 || c.claimWindow > c.epochDuration) revert InvalidClaimWindow(c.claimWindow, c.epochDuration);
    if (c.proofSubmissionWindow < c.claimWindow) revert InvalidProofSubmissionWindow(c.proofSubmissionWindow, c.claimWindow);
    uint256 genesis = c.genesisTime == 0 ? block.timestamp : c.genesisTime;
    if (genesis > block.timestamp) revert GenesisInFuture(genesis, block.timestamp);
    GENESIS_TIME = genesis;
    SLOT_DURATION = c.slotDuration;
    EPOCH_DURATION = c.epochDuration;
    CLAIM_WINDOW = c.claimWindow;
    PROOF_SUBMISSION_WINDOW = c.proofSubmissionWindow;
    VERSION = c.version;
    BLOCK_REWARD = c.blockReward;
    MINIMUM_BOND = c.minimumBond;
    INBOX = IInbox(c.inbox);
    OUTBOX = c.outbox;
    ESCROW = IProofCommitmentEscrow(c.escrow);
    TOKEN = IMintableERC20(c.token);
    owner = c.owner;
    verifier = IVerifier(c.verifier);
    vkTreeRoot = c.vkTreeRoot;
    sequencers = c.sequencers;
    blocks[0].archive = c.genesisArchiveRoot;
  }

  // ---------------------------------------------------------------- owner

  modifier onlyOwner() {
    if (msg.sender != owner) revert NotOwner(msg.sender);
    _;
  }

  function setSequencers(address[] calldata s) external onlyOwner {
    sequencers = s;
    emit SequencersSet(s);
  }

  function setVkTreeRoot(bytes32 root) external onlyOwner {
    vkTreeRoot = root;
    emit VkTreeRootSet(root);
  }

  function setVerifier(address v) external onlyOwner {
    verifier = IVerifier(v);
    emit VerifierSet(v);
  }

  // ---------------------------------------------------------------- propose

  /// @param header HEADER_LENGTH 32-byte words (SPEC.md "Block")
  /// @param archive the archive tree root after this block
  /// @param body the block's encoded tx effects
  function propose(bytes calldata header, bytes32 archive, bytes calldata body) external {
    if (_pruneReason() != PruneReason.None) _prune();
    uint256 slot = getCurrentSlot();
    address expected = getProposerAt(slot);
    if (expected != address(0) && expected != msg.sender) revert NotProposer(expected, msg.sender);
    if (header.length != Constants.HEADER_SIZE_BYTES) revert InvalidHeaderLength(Constants.HEADER_SIZE_BYTES, header.length);
    if (archive == bytes32(0)) revert InvalidArchive();

    uint256 blockNumber = pendingBlockNumber + 1;
    _checkHeaderGlobals(header, blockNumber, slot);
    (uint32 numTxs, bytes32 outHash) = _checkContent(header, body);
    bytes32 inHash = INBOX.consume(blockNumber);
    if (_word(header, 4) != inHash) revert InvalidInHash(inHash, _word(header, 4));

    bytes32 headerHash = Hash.sha256ToFieldCalldata(header, 0, Constants.HEADER_SIZE_BYTES);
    blocks[blockNumber] = BlockLog({
      archive: archive,
      headerHash: headerHash,
      outHash: outHash,
      totalFees: uint256(_word(header, 20)),
      coinbase: address(uint160(uint256(_word(header, 19)))),
      slotNumber: uint64(slot),
      numTxs: numTxs
    });
    pendingBlockNumber = blockNumber;
    uint256 epoch = slot / EPOCH_DURATION;
    uint256 first = epochFirstBlock[epoch];
    // Keep the recorded first block only if it is an earlier block of this epoch in the current chain (a record
    // left by a pruned chain is replaced).
    if (first == 0 || first >= blockNumber || blocks[first].slotNumber / EPOCH_DURATION != epoch) {
      epochFirstBlock[epoch] = blockNumber;
    }
    epochLastBlock[epoch] = blockNumber;
    emit L2BlockProposed(blockNumber, archive, headerHash, slot);
  }

  function _word(bytes calldata b, uint256 i) private pure returns (bytes32 w) {
    assembly ("memory-safe") {
      w := calldataload(add(b.offset, mul(i, 32)))
    }
  }

  function _checkHeaderGlobals(bytes calldata header, uint256 blockNumber, uint256 slot) private view {
    // 0 lastArchive.root, 1 lastArchive.next, 14 chainId, 15 version, 16 blockNumber, 17 slot, 18 timestamp, 19 coinbase
    if (uint256(_word(header, 14)) != block.chainid) revert InvalidChainId(block.chainid, uint256(_word(header, 14)));
    if (uint256(_word(header, 15)) != VERSION) revert InvalidVersion(VERSION, uint256(_word(header, 15)));
    if (uint256(_word(header, 16)) != blockNumber) revert InvalidBlockNumber(blockNumber, uint256(_word(header, 16)));
    bytes32 lastArchive = blocks[blockNumber - 1].archive;
    if (_word(header, 0) != lastArchive) revert InvalidLastArchive(lastArchive, _word(header, 0));
    if (uint256(_word(header, 1)) != blockNumber) revert InvalidLastArchiveIndex(blockNumber, uint256(_word(header, 1)));
    if (uint256(_word(header, 17)) != slot) revert InvalidSlot(slot, uint256(_word(header, 17)));
    if (blockNumber > 1) {
      uint256 parentSlot = blocks[blockNumber - 1].slotNumber;
      if (slot <= parentSlot) revert SlotNotAfterParent(parentSlot, slot);
    }
    uint256 ts = GENESIS_TIME + slot * SLOT_DURATION;
    if (uint256(_word(header, 18)) != ts) revert InvalidTimestamp(ts, uint256(_word(header, 18)));
    if (uint256(_word(header, 19)) >> 160 != 0) revert InvalidCoinbase(uint256(_word(header, 19)));
  }

  /// @dev numTxs vs body length, txsEffectsHash and outHash recomputed from the body.
  function _checkContent(bytes calldata header, bytes calldata body) private view returns (uint32, bytes32) {
    uint256 numTxs = uint256(_word(header, 2));
    if (numTxs > Constants.MAX_TXS_PER_BLOCK) revert TooManyTxs(Constants.MAX_TXS_PER_BLOCK, numTxs);
    uint256 expectedLength = numTxs * Constants.TX_EFFECT_SIZE_BYTES;
    if (body.length != expectedLength) revert InvalidBodyLength(expectedLength, body.length);
    bytes32[] memory effectHashes = new bytes32[](numTxs);
    bytes32[] memory outHashes = new bytes32[](numTxs);
    for (uint256 i = 0; i < numTxs; ++i) {
      uint256 o = i * Constants.TX_EFFECT_SIZE_BYTES;
      effectHashes[i] = Hash.sha256ToFieldCalldata(body, o, Constants.TX_EFFECT_SIZE_BYTES);
      outHashes[i] = Hash.sha256ToFieldCalldata(
        body, o + Constants.TX_EFFECT_L2_TO_L1_MSGS_OFFSET, 32 * Constants.MAX_L2_TO_L1_MSGS_PER_TX
      );
    }
    bytes32 txsEffectsHash = Hash.wonkyRoot(effectHashes);
    if (_word(header, 3) != txsEffectsHash) revert InvalidTxsEffectsHash(txsEffectsHash, _word(header, 3));
    bytes32 outHash = Hash.wonkyRoot(outHashes);
    if (_word(header, 5) != outHash) revert InvalidOutHash(outHash, _word(header, 5));
    return (uint32(numTxs), outHash);
  }

  // ---------------------------------------------------------------- claims

  function claimEpochProofRight(EpochProofQuote calldata quote, bytes calldata signature) external {
    uint256 slot = getCurrentSlot();
    uint256 currentEpoch = slot / EPOCH_DURATION;
    if (currentEpoch == 0 || quote.epochToProve != currentEpoch - 1) revert NotClaimableEpoch(currentEpoch, quote.epochToProve);
    uint256 slotInEpoch = slot % EPOCH_DURATION;
    if (slotInEpoch >= CLAIM_WINDOW) revert NotInClaimWindow(slotInEpoch, CLAIM_WINDOW);
    address expected = getProposerAt(slot);
    if (expected != address(0) && expected != msg.sender) revert NotProposer(expected, msg.sender);
    if (_pruneReason() != PruneReason.None) _prune();
    (uint256 first,) = _epochBlocks(quote.epochToProve);
    if (first == 0 || first <= provenBlockNumber) revert NothingToProve(quote.epochToProve);
    EpochProofClaim storage existing = claims[quote.epochToProve];
    if (existing.status != ClaimStatus.None) revert EpochAlreadyClaimed(quote.epochToProve, existing.prover);

    address signer = _recover(quoteDigest(quote), signature);
    if (signer != quote.prover || signer == address(0)) revert InvalidQuoteSignature(quote.prover, signer);
    if (slot > quote.validUntilSlot) revert QuoteExpired(quote.validUntilSlot, slot);
    if (quote.basisPointFee > Constants.MAX_BASIS_POINTS) revert FeeTooHigh(quote.basisPointFee, Constants.MAX_BASIS_POINTS);
    if (quote.bondAmount < MINIMUM_BOND) revert BondTooLow(quote.bondAmount, MINIMUM_BOND);
    uint256 available = ESCROW.deposits(quote.prover);
    if (available < quote.bondAmount) revert BondNotFunded(quote.prover, available, quote.bondAmount);

    claims[quote.epochToProve] = EpochProofClaim({
      bondAmount: quote.bondAmount,
      prover: quote.prover,
      basisPointFee: quote.basisPointFee,
      status: ClaimStatus.Active,
      proposer: msg.sender,
      claimedAtSlot: uint64(slot)
    });
    ESCROW.stakeBond(quote.prover, quote.bondAmount);
    emit ProofRightClaimed(quote.epochToProve, quote.prover, msg.sender, quote.bondAmount, quote.basisPointFee);
  }

  /// @notice The EIP-712 digest of a quote (domain "Quetzal Rollup", version "1", this chain, this contract).
  function quoteDigest(EpochProofQuote calldata q) public view returns (bytes32) {
    bytes32 structHash =
      keccak256(abi.encode(QUOTE_TYPEHASH, q.epochToProve, q.validUntilSlot, q.bondAmount, q.prover, q.basisPointFee));
    return keccak256(abi.encodePacked("\x19\x01", domainSeparator(), structHash));
  }

  function domainSeparator() public view returns (bytes32) {
    return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
  }

  /// @dev ecrecover of a 65-byte (r, s, v) signature; address(0) for a malformed or malleable one.
  function _recover(bytes32 digest, bytes calldata sig) private pure returns (address) {
    if (sig.length != 65) return address(0);
    bytes32 r = bytes32(sig[0:32]);
    bytes32 s = bytes32(sig[32:64]);
    uint8 v = uint8(sig[64]);
    if (v < 27) v += 27;
    if (uint256(s) > SECP256K1_HALF_N || (v != 27 && v != 28)) return address(0);
    return ecrecover(digest, v, r, s);
  }

  // ---------------------------------------------------------------- proofs

  function submitEpochRootProof(EpochProofArgs calldata args, bytes calldata proof) external {
    bytes32[] memory publicInputs = getEpochProofPublicInputs(args);
    if (!verifier.verify(proof, publicInputs)) revert InvalidProof();

    EpochProofClaim storage claim = claims[args.epoch];
    (uint256 first, uint256 last) = _epochBlocks(args.epoch);
    provenBlockNumber = last;
    claim.status = ClaimStatus.Proven;

    uint256 proverTotal = 0;
    uint256 bps = claim.basisPointFee;
    address prover = claim.prover;
    for (uint256 n = first; n <= last; ++n) {
      BlockLog storage b = blocks[n];
      uint256 reward = BLOCK_REWARD + b.totalFees;
      uint256 proverShare = reward * bps / Constants.MAX_BASIS_POINTS;
      uint256 coinbaseShare = reward - proverShare;
      address coinbase = b.coinbase;
      if (coinbaseShare > 0 && coinbase != address(0)) TOKEN.mint(coinbase, coinbaseShare);
      proverTotal += proverShare;
      emit RewardPaid(n, coinbase, coinbaseShare, prover, proverShare);
    }
    if (proverTotal > 0) TOKEN.mint(prover, proverTotal);
    ESCROW.unstakeBond(prover, claim.bondAmount);
    emit L2ProofVerified(last, args.proverId, args.epoch);
  }

  /// @notice The root public inputs this contract passes to the verifier for `args` (SPEC.md "Epoch root public
  /// inputs"), with every check `submitEpochRootProof` makes before calling the verifier.
  function getEpochProofPublicInputs(EpochProofArgs calldata args) public view returns (bytes32[] memory pi) {
    uint256 slot = getCurrentSlot();
    uint256 currentEpoch = slot / EPOCH_DURATION;
    if (args.epoch >= currentEpoch) revert EpochNotComplete(args.epoch, currentEpoch);
    uint256 deadline = (args.epoch + 1) * EPOCH_DURATION + PROOF_SUBMISSION_WINDOW;
    if (slot >= deadline) revert ProofDeadlinePassed(deadline, slot);
    EpochProofClaim storage claim = claims[args.epoch];
    if (claim.status != ClaimStatus.Active) revert EpochNotClaimed(args.epoch);
    (uint256 first, uint256 last) = _epochBlocks(args.epoch);
    if (first == 0) revert NothingToProve(args.epoch);
    if (first != provenBlockNumber + 1) revert PreviousEpochNotProven(first, provenBlockNumber);
    bytes32 prev = blocks[first - 1].archive;
    if (args.previousArchive != prev) revert InvalidPreviousArchive(prev, args.previousArchive);
    bytes32 end = blocks[last].archive;
    if (args.endArchive != end) revert InvalidEndArchive(end, args.endArchive);
    if (args.proverId != claim.prover) revert InvalidProverId(claim.prover, args.proverId);

    uint256 M = Constants.MAX_BLOCKS_PER_EPOCH;
    pi = new bytes32[](Constants.ROOT_PUBLIC_INPUTS_LENGTH);
    bytes32[] memory outHashes = new bytes32[](M);
    pi[0] = prev;
    pi[1] = end;
    for (uint256 i = 0; i <= last - first; ++i) {
      BlockLog storage b = blocks[first + i];
      pi[2 + i] = b.headerHash;
      pi[2 + M + 2 * i] = bytes32(uint256(uint160(b.coinbase)));
      pi[2 + M + 2 * i + 1] = bytes32(b.totalFees);
      outHashes[i] = b.outHash;
    }
    uint256 o = 2 + 3 * M;
    pi[o] = Hash.merkleRootInPlace(outHashes);
    pi[o + 1] = vkTreeRoot;
    pi[o + 2] = bytes32(uint256(uint160(args.proverId)));
    pi[o + 3] = bytes32(block.chainid);
    pi[o + 4] = bytes32(VERSION);
  }

  // ---------------------------------------------------------------- prune

  function prune() external {
    if (_pruneReason() == PruneReason.None) revert NothingToPrune();
    _prune();
  }

  function canPrune() external view returns (bool) {
    return _pruneReason() != PruneReason.None;
  }

  /// @notice Why the pending chain could be pruned now, and the epoch at fault.
  function getPruneStatus() external view returns (PruneReason reason, uint256 epoch) {
    reason = _pruneReason();
    epoch = reason == PruneReason.None ? 0 : getEpochForBlock(provenBlockNumber + 1);
  }

  function _pruneReason() internal view returns (PruneReason) {
    if (pendingBlockNumber == provenBlockNumber) return PruneReason.None;
    uint256 epoch = blocks[provenBlockNumber + 1].slotNumber / EPOCH_DURATION;
    uint256 slot = getCurrentSlot();
    uint256 nextStart = (epoch + 1) * EPOCH_DURATION;
    if (slot < nextStart) return PruneReason.None;
    if (claims[epoch].status == ClaimStatus.Active) {
      return slot >= nextStart + PROOF_SUBMISSION_WINDOW ? PruneReason.Unproven : PruneReason.None;
    }
    return slot >= nextStart + CLAIM_WINDOW ? PruneReason.Unclaimed : PruneReason.None;
  }

  function _prune() internal {
    PruneReason reason = _pruneReason();
    uint256 epoch = blocks[provenBlockNumber + 1].slotNumber / EPOCH_DURATION;
    uint256 pending = pendingBlockNumber;
    EpochProofClaim storage claim = claims[epoch];
    if (claim.status == ClaimStatus.Active) {
      claim.status = ClaimStatus.Slashed;
      ESCROW.slashBond(claim.prover, claim.bondAmount, address(this));
    }
    // Claims of later epochs lose their blocks through no fault of their provers: release their bonds.
    uint256 currentEpoch = getCurrentEpoch();
    for (uint256 e = epoch + 1; e < currentEpoch; ++e) {
      EpochProofClaim storage later = claims[e];
      if (later.status == ClaimStatus.Active) {
        later.status = ClaimStatus.Released;
        ESCROW.unstakeBond(later.prover, later.bondAmount);
      }
    }
    pendingBlockNumber = provenBlockNumber;
    emit PrunedPending(provenBlockNumber, pending, epoch, reason);
  }

  // ---------------------------------------------------------------- views

  function getCurrentSlot() public view returns (uint256) {
    return getSlotAt(block.timestamp);
  }

  function getCurrentEpoch() public view returns (uint256) {
    return getCurrentSlot() / EPOCH_DURATION;
  }

  function getSlotAt(uint256 timestamp) public view returns (uint256) {
    return timestamp < GENESIS_TIME ? 0 : (timestamp - GENESIS_TIME) / SLOT_DURATION;
  }

  function getTimestampForSlot(uint256 slot) public view returns (uint256) {
    return GENESIS_TIME + slot * SLOT_DURATION;
  }

  function getEpochForSlot(uint256 slot) public view returns (uint256) {
    return slot / EPOCH_DURATION;
  }

  function getProposerAt(uint256 slot) public view returns (address) {
    uint256 n = sequencers.length;
    return n == 0 ? address(0) : sequencers[slot % n];
  }

  function getCurrentProposer() external view returns (address) {
    return getProposerAt(getCurrentSlot());
  }

  function getSequencers() external view returns (address[] memory) {
    return sequencers;
  }

  function getPendingBlockNumber() external view returns (uint256) {
    return pendingBlockNumber;
  }

  function getProvenBlockNumber() external view returns (uint256) {
    return provenBlockNumber;
  }

  /// @notice (pending, proven) block numbers.
  function getTips() external view returns (uint256 pending, uint256 proven) {
    return (pendingBlockNumber, provenBlockNumber);
  }

  /// @notice The block as stored (block 0 holds only the genesis archive). Entries above the pending tip are stale.
  function getBlock(uint256 blockNumber) external view returns (BlockLog memory) {
    return blocks[blockNumber];
  }

  function getEpochForBlock(uint256 blockNumber) public view returns (uint256) {
    return blocks[blockNumber].slotNumber / EPOCH_DURATION;
  }

  /// @notice First and last pending block of an epoch, (0, 0) when it has none in the pending chain.
  function getEpochBlocks(uint256 epoch) external view returns (uint256 first, uint256 last) {
    return _epochBlocks(epoch);
  }

  function _epochBlocks(uint256 epoch) internal view returns (uint256 first, uint256 last) {
    first = epochFirstBlock[epoch];
    if (first == 0 || first > pendingBlockNumber || blocks[first].slotNumber / EPOCH_DURATION != epoch) return (0, 0);
    last = epochLastBlock[epoch];
    if (last > pendingBlockNumber) last = pendingBlockNumber;
  }

  function getClaim(uint256 epoch) external view returns (EpochProofClaim memory) {
    return claims[epoch];
  }

  /// @notice The last slot (exclusive bound) for proving `epoch`: proofs must land in a slot below it.
  function getProofDeadlineSlot(uint256 epoch) external view returns (uint256) {
    return (epoch + 1) * EPOCH_DURATION + PROOF_SUBMISSION_WINDOW;
  }
}
