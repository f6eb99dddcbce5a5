// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @notice An L2->L1 message: sent by L2 account `sender` (the tx's account) to L1 address `recipient`.
/// Its leaf in the block's out hash tree is sha256ToField(abi.encode(sender, recipient, content)).
struct L2ToL1Msg {
  bytes32 sender;
  address recipient;
  bytes32 content;
}

interface IOutbox {
  error NotOwner(address caller);
  error RollupAlreadySet();
  error ZeroAddress();
  error NotRecipient(address recipient, address caller);
  error BlockNotProven(uint256 blockNumber, uint256 provenBlockNumber);
  error InvalidPathLength(uint256 expected, uint256 given);
  error InvalidMembershipProof(bytes32 expectedRoot, bytes32 computedRoot);
  error MessageAlreadyConsumed(uint256 blockNumber, uint256 leafId);
  error BlockHasNoTxs(uint256 blockNumber);

  event MessageConsumed(uint256 indexed blockNumber, bytes32 indexed leaf, uint256 leafId, address indexed recipient);

  /// @notice Called by the message's recipient.
  function consume(uint256 blockNumber, L2ToL1Msg calldata message, uint256 directions, bytes32[] calldata siblings) external;
  function messageLeaf(L2ToL1Msg calldata message) external pure returns (bytes32);
  function hasMessageBeenConsumed(uint256 blockNumber, uint256 leafId) external view returns (bool);
  function leafIdOf(uint256 directions, uint256 pathLength) external pure returns (uint256);
}
