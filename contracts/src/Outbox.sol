// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IOutbox, L2ToL1Msg} from "./interfaces/IOutbox.sol";
import {BlockLog} from "./interfaces/IRollup.sol";
import {Hash} from "./libraries/Hash.sol";

interface IRollupView {
  function getProvenBlockNumber() external view returns (uint256);
  function getBlock(uint256 blockNumber) external view returns (BlockLog memory);
}

/// @notice L2 -> L1 messages, consumable once the block that emitted them is proven, by their recipient only.
/// A message leaf commits to its L2 sender (the tx circuit binds it to the tx's account), its L1 recipient and its
/// content (`messageLeaf`). A leaf is a leaf of its tx's out hash (the 2 messages of a tx are a 2-leaf tree), which is a leaf of the
/// block's wonky out-hash tree (SPEC.md "Block"); the block's out hash is in the Rollup's storage and committed to
/// by the epoch proof. The membership path runs from the message up: `siblings[i]` at level i, bit i of
/// `directions` set when the running node is the right child. The Outbox checks the path has exactly the shape
/// that the block's tx count gives to that position, so an inner node cannot pass for a message. A (block,
/// position) pair is consumed once.
contract Outbox is IOutbox {
  address public immutable owner;
  IRollupView public rollup;
  mapping(uint256 blockNumber => mapping(uint256 leafId => bool)) internal consumed;

  constructor(address owner_) {
    owner = owner_;
  }

  function setRollup(address rollup_) external {
    if (msg.sender != owner) revert NotOwner(msg.sender);
    if (address(rollup) != address(0)) revert RollupAlreadySet();
    if (rollup_ == address(0)) revert ZeroAddress();
    rollup = IRollupView(rollup_);
  }

  function consume(uint256 blockNumber, L2ToL1Msg calldata message, uint256 directions, bytes32[] calldata siblings) external {
    if (message.recipient != msg.sender) revert NotRecipient(message.recipient, msg.sender);
    uint256 proven = rollup.getProvenBlockNumber();
    if (blockNumber == 0 || blockNumber > proven) revert BlockNotProven(blockNumber, proven);
    BlockLog memory b = rollup.getBlock(blockNumber);
    if (b.numTxs == 0) revert BlockHasNoTxs(blockNumber);
    uint256 expectedLength = _expectedPathLength(b.numTxs, directions, siblings.length);
    if (siblings.length != expectedLength) revert InvalidPathLength(expectedLength, siblings.length);
    bytes32 leaf = messageLeaf(message);
    bytes32 node = leaf;
    for (uint256 i = 0; i < siblings.length; ++i) {
      node = (directions >> i) & 1 == 1 ? Hash.node(siblings[i], node) : Hash.node(node, siblings[i]);
    }
    if (node != b.outHash) revert InvalidMembershipProof(b.outHash, node);
    uint256 leafId = leafIdOf(directions, siblings.length);
    if (consumed[blockNumber][leafId]) revert MessageAlreadyConsumed(blockNumber, leafId);
    consumed[blockNumber][leafId] = true;
    emit MessageConsumed(blockNumber, leaf, leafId, msg.sender);
  }

  function messageLeaf(L2ToL1Msg calldata message) public pure returns (bytes32) {
    return Hash.sha256ToField(abi.encode(message.sender, message.recipient, message.content));
  }

  function hasMessageBeenConsumed(uint256 blockNumber, uint256 leafId) external view returns (bool) {
    return consumed[blockNumber][leafId];
  }

  /// @notice The position key of a leaf: its direction bits (masked to the path length) and the path length.
  function leafIdOf(uint256 directions, uint256 pathLength) public pure returns (uint256) {
    uint256 mask = pathLength >= 128 ? type(uint128).max : (uint256(1) << pathLength) - 1;
    return (pathLength << 128) | (directions & mask);
  }

  /// @dev Walks the wonky tree of `numTxs` leaves from the root along the direction bits (the top bit of the
  /// `givenLength`-long path first) down to a tx leaf; the message level adds one. Returns the length the path
  /// must have; a mismatch with `givenLength` is refused by the caller.
  function _expectedPathLength(uint256 numTxs, uint256 directions, uint256 givenLength) private pure returns (uint256) {
    if (givenLength == 0) return 1;
    uint256 size = numTxs;
    uint256 depth = 0;
    uint256 bit = givenLength - 1; // the root-level bit
    while (size > 1) {
      uint256 k = Hash.largestPowerOfTwoBelow(size);
      bool right = (directions >> bit) & 1 == 1;
      size = right ? size - k : k;
      depth += 1;
      if (bit == 0) {
        if (size > 1) return depth + 1 + 64; // path too short: any value but givenLength
        break;
      }
      bit -= 1;
    }
    return depth + 1;
  }
}
