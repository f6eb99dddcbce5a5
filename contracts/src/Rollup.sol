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
/// claimant that failed loses its bond (burned). `propose` prunes first when it can.
///
/// Settings: the verifier, the VK tree root and the sequencer set apply per epoch. The owner schedules a change, which
/// applies from epoch current + CHANGE_DELAY_EPOCHS on: an epoch's proposers, and the verifier and VK tree root its
/// proof is checked with, are fixed before the epoch starts, so no claim ever spans a change.
///
/// `propose` refuses every block the circuits could not prove that L1 can tell: beyond the trees' capacity (block
/// number, tree indices), a value the circuits take as a Field that is not one, fees out of range or not the sum of
/// the body's, a tx without its first nullifier (SPEC.md "Capacity" and "Block").
contract Rollup is IRollup {
  bytes32 private constant DOMAIN_TYPEHASH =
    keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
  bytes32 public constant QUOTE_TYPEHASH = keccak256(
    "EpochProofQuote(uint256 epochToProve,uint256 validUntilSlot,uint256 bondAmount,address prover,uint32 basisPointFee)"
  );
  bytes32 private constant NAME_HASH = keccak256("Quetzal Rollup");
  bytes32 private constant VERSION_HASH = keccak256("1");
  uint256 private constant SECP256K1_HALF_N = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;
  /// @notice A scheduled change applies from this many epochs after the current one.
  uint256 public constant CHANGE_DELAY_EPOCHS = 2;

  /// @dev A setting changed with a delay: `next` applies to epochs >= `fromEpoch` (0: no change scheduled).
  struct Setting {
    bytes32 current;
    bytes32 next;
    uint256 fromEpoch;
  }

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

  Setting internal verifierSetting;
  Setting internal vkTreeRootSetting;
  /// @dev values are indices into sequencerSets
  Setting internal sequencersSetting;
  address[][] internal sequencerSets;

  uint256 internal pendingBlockNumber;
  uint256 internal provenBlockNumber;
  /// @dev The latest epoch a claim was made for: prune releases later claims by walking from the pruned epoch up to it.
  uint256 internal latestClaimedEpoch;
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
    if (c.verifier == address(0)) revert ZeroVerifier();
    _requireField(c.vkTreeRoot);
    _requireField(c.genesisArchiveRoot);
    _requireField(bytes32(c.version));
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
    verifierSetting.current = bytes32(uint256(uint160(c.verifier)));
    vkTreeRootSetting.current = c.vkTreeRoot;
    sequencerSets.push(c.sequencers);
    blocks[0].archive = c.genesisArchiveRoot;
  }

  function _requireField(bytes32 v) private pure {
    if (uint256(v) >= Constants.FIELD_MODULUS) revert FieldOutOfRange(uint256(v));
  }

  // ---------------------------------------------------------------- owner

  modifier onlyOwner() {
    if (msg.sender != owner) revert NotOwner(msg.sender);
    _;
  }

  /// @notice Schedules a new sequencer set (empty = open mode) for epochs >= the returned one.
  function scheduleSequencers(address[] calldata s) external onlyOwner returns (uint256 fromEpoch) {
    sequencerSets.push(s);
    fromEpoch = _schedule(sequencersSetting, bytes32(sequencerSets.length - 1));
    emit SequencersScheduled(s, fromEpoch);
  }

  /// @notice Schedules a new VK tree root for the proofs of epochs >= the returned one.
  function scheduleVkTreeRoot(bytes32 root) external onlyOwner returns (uint256 fromEpoch) {
    _requireField(root);
    fromEpoch = _schedule(vkTreeRootSetting, root);
    emit VkTreeRootScheduled(root, fromEpoch);
  }

  /// @notice Schedules a new verifier for the proofs of epochs >= the returned one.
  function scheduleVerifier(address v) external onlyOwner returns (uint256 fromEpoch) {
    if (v == address(0)) revert ZeroVerifier();
    fromEpoch = _schedule(verifierSetting, bytes32(uint256(uint160(v))));
    emit VerifierScheduled(v, fromEpoch);
  }

  /// @dev One change per setting at a time: a second one waits until no epoch under the value before the first can
  /// still be proven (the proof deadline of epoch fromEpoch - 1); then the first becomes the current value.
  function _schedule(Setting storage s, bytes32 value) private returns (uint256 fromEpoch) {
    uint256 slot = getCurrentSlot();
    uint256 scheduled = s.fromEpoch;
    if (scheduled != 0) {
      uint256 settledAt = scheduled * EPOCH_DURATION + PROOF_SUBMISSION_WINDOW;
      if (slot < settledAt) revert ChangeAlreadyScheduled(scheduled, settledAt);
      s.current = s.next;
    }
    fromEpoch = slot / EPOCH_DURATION + CHANGE_DELAY_EPOCHS;
    s.next = value;
    s.fromEpoch = fromEpoch;
  }

  /// @dev The value for `epoch`, for every epoch that can still be proven (once a second change is scheduled, the
  /// epochs before the first one, all past their proof deadline, report the first one's value).
  function _settingAt(Setting storage s, uint256 epoch) private view returns (bytes32) {
    uint256 from = s.fromEpoch;
    return from != 0 && epoch >= from ? s.next : s.current;
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
    if (archive == bytes32(0) || uint256(archive) >= Constants.FIELD_MODULUS) revert InvalidArchive(archive);

    uint256 blockNumber = pendingBlockNumber + 1;
    BlockLog memory log = _checkBlock(header, body, blockNumber, slot);
    log.archive = archive;
    bytes32 inHash = INBOX.consume(blockNumber);
    if (_word(header, 4) != inHash) revert InvalidInHash(inHash, _word(header, 4));
    bytes32 headerHash = Hash.sha256ToFieldCalldata(header, 0, Constants.HEADER_SIZE_BYTES);
    log.headerHash = headerHash;
    blocks[blockNumber] = log;
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

  /// @dev Every check of the header and body but the in hash; returns the block's log without archive and header hash.
  function _checkBlock(bytes calldata header, bytes calldata body, uint256 blockNumber, uint256 slot) private view returns (BlockLog memory log) {
    _checkHeaderGlobals(header, blockNumber, slot);
    _checkHeaderState(header, blockNumber);
    (uint32 numTxs, bytes32 outHash, uint256 fees) = _checkContent(header, body);
    log.outHash = outHash;
    log.totalFees = uint128(fees);
    log.epochFees = uint128(_epochFees(blockNumber, slot / EPOCH_DURATION, fees));
    log.coinbase = address(uint160(uint256(_word(header, 19))));
    log.slotNumber = uint64(slot);
    log.numTxs = numTxs;
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

  /// @dev The header's tree state as only the circuits could have made it: the block within the trees' capacity,
  /// the L1->L2 message tree holding exactly the messages of blocks 1..N, tree indices within their trees, roots in
  /// the field.
  function _checkHeaderState(bytes calldata header, uint256 blockNumber) private pure {
    if (blockNumber > Constants.MAX_L2_BLOCK_NUMBER) revert BlockNumberBeyondCapacity(Constants.MAX_L2_BLOCK_NUMBER, blockNumber);
    uint256 msgNext = blockNumber * Constants.L1_TO_L2_MSGS_PER_BLOCK;
    if (uint256(_word(header, 7)) != msgNext) revert InvalidL1ToL2MessageTreeIndex(msgNext, uint256(_word(header, 7)));
    _checkTreeIndex(header, 9, Constants.NOTE_HASH_TREE_HEIGHT);
    _checkTreeIndex(header, 11, Constants.NULLIFIER_TREE_HEIGHT);
    _checkTreeIndex(header, 13, Constants.PUBLIC_DATA_TREE_HEIGHT);
    for (uint256 w = 6; w <= 12; w += 2) {
      uint256 root = uint256(_word(header, w));
      if (root >= Constants.FIELD_MODULUS) revert HeaderFieldOutOfRange(w, root);
    }
  }

  function _checkTreeIndex(bytes calldata header, uint256 word, uint256 height) private pure {
    uint256 next = uint256(_word(header, word));
    if (next > 1 << height) revert TreeIndexBeyondCapacity(word, 1 << height, next);
  }

  /// @dev totalFees of the block's epoch so far; the circuits refuse an epoch whose fees sum to 2^128 or more.
  function _epochFees(uint256 blockNumber, uint256 epoch, uint256 fees) private view returns (uint256 sum) {
    sum = fees;
    BlockLog storage parent = blocks[blockNumber - 1];
    if (blockNumber > 1 && parent.slotNumber / EPOCH_DURATION == epoch) sum += parent.epochFees;
    if (sum >> Constants.MAX_FEE_BITS != 0) revert EpochFeesOutOfRange(sum);
  }

  /// @dev numTxs vs body length; every body word a Field, every fee below 2^128, every tx with its first nullifier;
  /// totalFees, txsEffectsHash and outHash recomputed from the body. Returns (numTxs, outHash, totalFees).
  function _checkContent(bytes calldata header, bytes calldata body) private view returns (uint32, bytes32, uint256) {
    uint256 numTxs = uint256(_word(header, 2));
    if (numTxs > Constants.MAX_TXS_PER_BLOCK) revert TooManyTxs(Constants.MAX_TXS_PER_BLOCK, numTxs);
    uint256 expectedLength = numTxs * Constants.TX_EFFECT_SIZE_BYTES;
    if (body.length != expectedLength) revert InvalidBodyLength(expectedLength, body.length);
    bytes32[] memory effectHashes = new bytes32[](numTxs);
    bytes32[] memory outHashes = new bytes32[](numTxs);
    uint256 fees = 0;
    for (uint256 i = 0; i < numTxs; ++i) {
      uint256 o = i * Constants.TX_EFFECT_SIZE_BYTES;
      fees += _checkTxEffect(body, o, i);
      effectHashes[i] = Hash.sha256ToFieldCalldata(body, o, Constants.TX_EFFECT_SIZE_BYTES);
      outHashes[i] = Hash.sha256ToFieldCalldata(
        body, o + Constants.TX_EFFECT_L2_TO_L1_MSGS_OFFSET, 32 * Constants.MAX_L2_TO_L1_MSGS_PER_TX
      );
    }
    bytes32 txsEffectsHash = Hash.wonkyRoot(effectHashes);
    if (_word(header, 3) != txsEffectsHash) revert InvalidTxsEffectsHash(txsEffectsHash, _word(header, 3));
    bytes32 outHash = Hash.wonkyRoot(outHashes);
    if (_word(header, 5) != outHash) revert InvalidOutHash(outHash, _word(header, 5));
    if (uint256(_word(header, 20)) != fees) revert InvalidTotalFees(fees, uint256(_word(header, 20)));
    return (uint32(numTxs), outHash, fees);
  }

  /// @dev The encoded TxEffect at body[o..]: every word below the field modulus, the fee below 2^128, nullifiers[0]
  /// non-zero, every L2->L1 message leaf below 2^248. Returns the fee.
  function _checkTxEffect(bytes calldata body, uint256 o, uint256 txIndex) private pure returns (uint256 fee) {
    uint256 size = Constants.TX_EFFECT_SIZE_BYTES;
    uint256 feeOffset = Constants.TX_EFFECT_FEE_OFFSET;
    uint256 nullifierOffset = Constants.TX_EFFECT_FIRST_NULLIFIER_OFFSET;
    uint256 msgsOffset = Constants.TX_EFFECT_L2_TO_L1_MSGS_OFFSET;
    uint256 wide;
    uint256 firstNullifier;
    uint256 wideMsgs;
    assembly ("memory-safe") {
      let p := add(body.offset, o)
      // words below 2^253 are below the modulus: OR them all and look at the top 3 bits (exact check only if set)
      let acc := 0
      for { let end := add(p, size) } lt(p, end) { p := add(p, 32) } { acc := or(acc, calldataload(p)) }
      wide := shr(253, acc)
      p := add(body.offset, o)
      fee := calldataload(add(p, feeOffset))
      firstNullifier := calldataload(add(p, nullifierOffset))
      // both L2->L1 message leaves (MAX_L2_TO_L1_MSGS_PER_TX = 2) are sha256ToField values: below 2^248
      wideMsgs := shr(248, or(calldataload(add(p, msgsOffset)), calldataload(add(p, add(msgsOffset, 32)))))
    }
    if (wide != 0) _refuseWordOutsideField(body, o, txIndex);
    if (fee >> Constants.MAX_FEE_BITS != 0) revert TxFeeOutOfRange(txIndex, fee);
    if (firstNullifier == 0) revert TxWithoutNullifier(txIndex);
    if (wideMsgs != 0) _refuseWideMessage(body, o, txIndex);
  }

  /// @dev Slow path of _checkTxEffect: a word has one of its top 3 bits set; refuse it if it is not below the modulus.
  function _refuseWordOutsideField(bytes calldata body, uint256 o, uint256 txIndex) private pure {
    for (uint256 w = 0; w < Constants.TX_EFFECT_LENGTH; ++w) {
      uint256 v = uint256(_bodyWord(body, o + 32 * w));
      if (v >= Constants.FIELD_MODULUS) revert BodyFieldOutOfRange(txIndex, w, v);
    }
  }

  function _refuseWideMessage(bytes calldata body, uint256 o, uint256 txIndex) private pure {
    for (uint256 k = 0; k < Constants.MAX_L2_TO_L1_MSGS_PER_TX; ++k) {
      uint256 leaf = uint256(_bodyWord(body, o + Constants.TX_EFFECT_L2_TO_L1_MSGS_OFFSET + 32 * k));
      if (leaf >> 248 != 0) revert L2ToL1MessageOutOfRange(txIndex, k, leaf);
    }
  }

  function _bodyWord(bytes calldata b, uint256 offset) private pure returns (bytes32 w) {
    assembly ("memory-safe") {
      w := calldataload(add(b.offset, offset))
    }
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

    if (quote.epochToProve > latestClaimedEpoch) latestClaimedEpoch = quote.epochToProve;
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
    if (!getVerifierAt(args.epoch).verify(proof, publicInputs)) revert InvalidProof();

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
      pi[2 + M + 2 * i + 1] = bytes32(uint256(b.totalFees));
      outHashes[i] = b.outHash;
    }
    uint256 o = 2 + 3 * M;
    pi[o] = Hash.merkleRootInPlace(outHashes);
    pi[o + 1] = getVkTreeRootAt(args.epoch);
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
      ESCROW.slashBond(claim.prover, claim.bondAmount);
    }
    // Claims of later epochs lose their blocks through no fault of their provers: release their bonds. They lie in
    // (epoch, latestClaimedEpoch], a range of fewer than PROOF_SUBMISSION_WINDOW / EPOCH_DURATION + 1 epochs however
    // long the chain went unpruned: a claim for epoch e is made in epoch e + 1 after pruning what could be pruned, so
    // while the oldest unproven epoch N was not yet prunable: start(e + 1) < start(N + 1) + PROOF_SUBMISSION_WINDOW.
    uint256 lastClaimed = latestClaimedEpoch;
    for (uint256 e = epoch + 1; e <= lastClaimed; ++e) {
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
    address[] storage set = _sequencersAt(slot / EPOCH_DURATION);
    uint256 n = set.length;
    return n == 0 ? address(0) : set[slot % n];
  }

  function _sequencersAt(uint256 epoch) private view returns (address[] storage) {
    return sequencerSets[uint256(_settingAt(sequencersSetting, epoch))];
  }

  function getCurrentProposer() external view returns (address) {
    return getProposerAt(getCurrentSlot());
  }

  /// @notice The sequencer set of the current epoch.
  function getSequencers() external view returns (address[] memory) {
    return _sequencersAt(getCurrentEpoch());
  }

  function getSequencersAt(uint256 epoch) external view returns (address[] memory) {
    return _sequencersAt(epoch);
  }

  /// @notice The verifier of the current epoch's proof.
  function verifier() external view returns (IVerifier) {
    return getVerifierAt(getCurrentEpoch());
  }

  /// @notice The verifier epoch `epoch`'s proof is checked with.
  function getVerifierAt(uint256 epoch) public view returns (IVerifier) {
    return IVerifier(address(uint160(uint256(_settingAt(verifierSetting, epoch)))));
  }

  /// @notice The VK tree root of the current epoch's proof.
  function vkTreeRoot() external view returns (bytes32) {
    return getVkTreeRootAt(getCurrentEpoch());
  }

  /// @notice The VK tree root in epoch `epoch`'s proof public inputs.
  function getVkTreeRootAt(uint256 epoch) public view returns (bytes32) {
    return _settingAt(vkTreeRootSetting, epoch);
  }

  /// @notice Changes scheduled and the epoch each applies from (fromEpoch 0: none). A change applies from its
  /// fromEpoch on, and the value before it to earlier epochs, until another change of the same setting is scheduled.
  function getScheduledChanges()
    external
    view
    returns (address nextVerifier, uint256 verifierFromEpoch, bytes32 nextVkTreeRoot, uint256 vkTreeRootFromEpoch, address[] memory nextSequencers, uint256 sequencersFromEpoch)
  {
    nextVerifier = address(uint160(uint256(verifierSetting.next)));
    verifierFromEpoch = verifierSetting.fromEpoch;
    nextVkTreeRoot = vkTreeRootSetting.next;
    vkTreeRootFromEpoch = vkTreeRootSetting.fromEpoch;
    sequencersFromEpoch = sequencersSetting.fromEpoch;
    nextSequencers = sequencersFromEpoch == 0 ? new address[](0) : sequencerSets[uint256(sequencersSetting.next)];
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
