// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IVerifier} from "./interfaces/IVerifier.sol";

/// @notice Accepts every proof (simulated proving, local network only). For tests, the owner can pin the
/// keccak256 of the expected public inputs: then only that exact array verifies, which lets tests check
/// what the Rollup rebuilt from storage.
contract MockVerifier is IVerifier {
  error NotOwner(address caller);

  address public immutable owner;
  bytes32 public expectedPublicInputsHash;

  constructor() {
    owner = msg.sender;
  }

  function setExpectedPublicInputsHash(bytes32 h) external {
    if (msg.sender != owner) revert NotOwner(msg.sender);
    expectedPublicInputsHash = h;
  }

  function verify(bytes calldata, bytes32[] calldata publicInputs) external view returns (bool) {
    bytes32 expected = expectedPublicInputsHash;
    return expected == bytes32(0) || keccak256(abi.encodePacked(publicInputs)) == expected;
  }
}
