// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @notice sha256-based hashing of SPEC.md: sha256ToField, tree nodes, the "wonky" tx tree and balanced trees.
library Hash {
  uint256 private constant TOP_BYTE_MASK = type(uint256).max >> 8;

  /// @dev sha256, then the first byte set to 0.
  function sha256ToField(bytes memory data) internal pure returns (bytes32) {
    return bytes32(uint256(sha256(data)) & TOP_BYTE_MASK);
  }

  /// @dev sha256ToField(left || right), via scratch space (no memory allocation).
  function node(bytes32 left, bytes32 right) internal view returns (bytes32 out) {
    assembly ("memory-safe") {
      mstore(0x00, left)
      mstore(0x20, right)
      if iszero(staticcall(gas(), 0x02, 0x00, 0x40, 0x00, 0x20)) { revert(0, 0) }
      out := and(mload(0x00), 0x00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
    }
  }

  /// @dev sha256ToField of a calldata slice [offset, offset + len) of `data`.
  function sha256ToFieldCalldata(bytes calldata data, uint256 offset, uint256 len) internal view returns (bytes32 out) {
    assembly ("memory-safe") {
      let ptr := mload(0x40)
      calldatacopy(ptr, add(data.offset, offset), len)
      if iszero(staticcall(gas(), 0x02, ptr, len, 0x00, 0x20)) { revert(0, 0) }
      out := and(mload(0x00), 0x00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff)
    }
  }

  /// @dev Wonky root (SPEC "Tx tree shape") of leaves[0..n); 0 for n = 0.
  function wonkyRoot(bytes32[] memory leaves) internal view returns (bytes32) {
    if (leaves.length == 0) return bytes32(0);
    return _wonky(leaves, 0, leaves.length);
  }

  function _wonky(bytes32[] memory leaves, uint256 start, uint256 n) private view returns (bytes32) {
    if (n == 1) return leaves[start];
    uint256 k = largestPowerOfTwoBelow(n);
    return node(_wonky(leaves, start, k), _wonky(leaves, start + k, n - k));
  }

  /// @dev Largest power of two strictly below n (n >= 2).
  function largestPowerOfTwoBelow(uint256 n) internal pure returns (uint256 k) {
    k = 1;
    while (k * 2 < n) k *= 2;
  }

  /// @dev Balanced root over a power-of-two number of leaves; overwrites `leaves`.
  function merkleRootInPlace(bytes32[] memory leaves) internal view returns (bytes32) {
    uint256 n = leaves.length;
    while (n > 1) {
      for (uint256 i = 0; i < n / 2; ++i) leaves[i] = node(leaves[2 * i], leaves[2 * i + 1]);
      n /= 2;
    }
    return leaves[0];
  }
}
