// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

interface IOutbox {
  error NotOwner(address caller);
  error RollupAlreadySet();
  error ZeroAddress();
  error EmptyMessage();
  error BlockNotProven(uint256 blockNumber, uint256 provenBlockNumber);
  error InvalidPathLength(uint256 expected, uint256 given);
  error InvalidMembershipProof(bytes32 expectedRoot, bytes32 computedRoot);
  error MessageAlreadyConsumed(uint256 blockNumber, uint256 leafId);
  error BlockHasNoTxs(uint256 blockNumber);

  event MessageConsumed(uint256 indexed blockNumber, bytes32 indexed message, uint256 leafId, address consumer);

  function consume(uint256 blockNumber, bytes32 message, uint256 directions, bytes32[] calldata siblings) external;
  function hasMessageBeenConsumed(uint256 blockNumber, uint256 leafId) external view returns (bool);
  function leafIdOf(uint256 directions, uint256 pathLength) external pure returns (uint256);
}
