// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @notice What the Rollup calls: bb's generated HonkVerifier has this signature; so does MockVerifier.
interface IVerifier {
  function verify(bytes calldata proof, bytes32[] calldata publicInputs) external view returns (bool);
}
