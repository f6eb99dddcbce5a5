// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IInbox} from "./interfaces/IInbox.sol";
import {Constants} from "./libraries/Constants.sol";
import {Hash} from "./libraries/Hash.sol";

/// @notice L1 -> L2 messages in per-block trees of L1_TO_L2_MSGS_PER_BLOCK leaves (SPEC.md "L1 -> L2 messages").
/// Block N consumes tree N. Messages go to tree `inProgress` (starts at 2: tree 1 is always empty); a tree is
/// frozen when full or when block `inProgress - 1` is proposed, so the tree block N consumes is final once block
/// N-1 is on L1.
contract Inbox is IInbox {
  uint256 public constant SIZE = Constants.L1_TO_L2_MSGS_PER_BLOCK;
  address public immutable owner;
  address public rollup;
  uint256 public inProgress = 2;
  mapping(uint256 treeNumber => bytes32[16]) internal trees;
  mapping(uint256 treeNumber => uint256) public messageCount;
  bytes32 public immutable EMPTY_ROOT;

  constructor(address owner_) {
    owner = owner_;
    bytes32[] memory zeros = new bytes32[](SIZE);
    EMPTY_ROOT = Hash.merkleRootInPlace(zeros);
  }

  function setRollup(address rollup_) external {
    if (msg.sender != owner) revert NotOwner(msg.sender);
    if (rollup != address(0)) revert RollupAlreadySet();
    if (rollup_ == address(0)) revert ZeroAddress();
    rollup = rollup_;
  }

  function sendL2Message(bytes32 recipient, bytes32 content, bytes32 secretHash) external returns (bytes32 leaf, uint256 globalIndex) {
    uint256 tree = inProgress;
    uint256 count = messageCount[tree];
    if (count == SIZE) {
      tree += 1;
      inProgress = tree;
      count = 0;
    }
    if (tree > Constants.MAX_L2_BLOCK_NUMBER) revert InboxFull(Constants.MAX_L2_BLOCK_NUMBER);
    globalIndex = (tree - 1) * SIZE + count;
    leaf = Hash.sha256ToField(abi.encode(msg.sender, recipient, content, secretHash, globalIndex));
    trees[tree][count] = leaf;
    messageCount[tree] = count + 1;
    emit MessageSent(tree, count, globalIndex, leaf, msg.sender, recipient, content, secretHash);
  }

  function consume(uint256 blockNumber) external returns (bytes32 root) {
    if (msg.sender != rollup) revert NotRollup(msg.sender);
    if (blockNumber + 1 == inProgress) inProgress = blockNumber + 2;
    root = getRoot(blockNumber);
    emit TreeConsumed(blockNumber, root, messageCount[blockNumber]);
  }

  function getRoot(uint256 treeNumber) public view returns (bytes32) {
    if (messageCount[treeNumber] == 0) return EMPTY_ROOT;
    bytes32[] memory leaves = new bytes32[](SIZE);
    bytes32[16] storage t = trees[treeNumber];
    for (uint256 i = 0; i < SIZE; ++i) leaves[i] = t[i];
    return Hash.merkleRootInPlace(leaves);
  }

  function getLeaves(uint256 treeNumber) external view returns (bytes32[] memory leaves) {
    uint256 n = messageCount[treeNumber];
    leaves = new bytes32[](n);
    for (uint256 i = 0; i < n; ++i) leaves[i] = trees[treeNumber][i];
  }
}
