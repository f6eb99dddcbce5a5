// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

interface IInbox {
  error NotRollup(address caller);
  error RollupAlreadySet();
  error NotOwner(address caller);
  error ZeroAddress();
  /// @dev Every tree an L2 block could consume is full (blocks beyond MAX_L2_BLOCK_NUMBER cannot be proposed).
  error InboxFull(uint256 maxTreeNumber);

  /// @param treeNumber the per-block tree (block `treeNumber` consumes it)
  /// @param globalIndex (treeNumber - 1) * L1_TO_L2_MSGS_PER_BLOCK + index in the tree
  event MessageSent(uint256 indexed treeNumber, uint256 index, uint256 globalIndex, bytes32 hash, address sender, bytes32 recipient, bytes32 content, bytes32 secretHash);
  event TreeConsumed(uint256 indexed treeNumber, bytes32 root, uint256 messages);

  function sendL2Message(bytes32 recipient, bytes32 content, bytes32 secretHash) external returns (bytes32 leaf, uint256 globalIndex);
  /// @notice Called by the Rollup when block `blockNumber` is proposed; freezes and returns tree `blockNumber`'s root.
  function consume(uint256 blockNumber) external returns (bytes32 root);
  function getRoot(uint256 treeNumber) external view returns (bytes32);
  function getLeaves(uint256 treeNumber) external view returns (bytes32[] memory);
  function inProgress() external view returns (uint256);
}
