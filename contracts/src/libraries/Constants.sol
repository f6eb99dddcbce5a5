// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @notice Protocol constants; the same values as src/protocol/constants.ts (a test checks they agree).
library Constants {
  uint256 internal constant L1_TO_L2_MSGS_PER_BLOCK = 16;
  uint256 internal constant MAX_BLOCKS_PER_EPOCH = 16;
  uint256 internal constant MAX_TXS_PER_BLOCK = 64;
  uint256 internal constant MAX_NOTE_HASHES_PER_TX = 4;
  uint256 internal constant MAX_NULLIFIERS_PER_TX = 4;
  uint256 internal constant MAX_L2_TO_L1_MSGS_PER_TX = 2;
  uint256 internal constant TX_EFFECT_LENGTH = 13;
  uint256 internal constant TX_EFFECT_SIZE_BYTES = 416;
  /// @dev Byte offset of l2ToL1Msgs inside an encoded TxEffect: (3 + 4 + 4) words.
  uint256 internal constant TX_EFFECT_L2_TO_L1_MSGS_OFFSET = 352;
  uint256 internal constant HEADER_LENGTH = 21;
  uint256 internal constant HEADER_SIZE_BYTES = 672;
  uint256 internal constant ROOT_PUBLIC_INPUTS_LENGTH = 55;
  uint256 internal constant MAX_BASIS_POINTS = 10_000;
  uint256 internal constant FIELD_MODULUS =
    21888242871839275222246405745257275088548364400416034343698204186575808495617;
}
