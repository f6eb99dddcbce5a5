// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

/// @notice Protocol constants; the same values as src/protocol/constants.ts (a test checks they agree).
library Constants {
  uint256 internal constant NOTE_HASH_TREE_HEIGHT = 40;
  uint256 internal constant NULLIFIER_TREE_HEIGHT = 40;
  uint256 internal constant PUBLIC_DATA_TREE_HEIGHT = 40;
  uint256 internal constant L1_TO_L2_MSG_TREE_HEIGHT = 36;
  uint256 internal constant ARCHIVE_TREE_HEIGHT = 36;
  /// @dev Block N appends L1->L2 message subtree N - 1 and archive leaf N: 2^(36 - 4) blocks fit both trees.
  uint256 internal constant MAX_L2_BLOCK_NUMBER = 4_294_967_296;
  uint256 internal constant L1_TO_L2_MSGS_PER_BLOCK = 16;
  uint256 internal constant MAX_BLOCKS_PER_EPOCH = 16;
  uint256 internal constant MAX_TXS_PER_BLOCK = 64;
  uint256 internal constant MAX_NOTE_HASHES_PER_TX = 4;
  uint256 internal constant MAX_NULLIFIERS_PER_TX = 4;
  uint256 internal constant MAX_L2_TO_L1_MSGS_PER_TX = 2;
  uint256 internal constant TX_EFFECT_LENGTH = 13;
  uint256 internal constant TX_EFFECT_SIZE_BYTES = 416;
  /// @dev Byte offsets inside an encoded TxEffect: transactionFee (word 1), nullifiers[0] (word 3 + 4), l2ToL1Msgs ((3 + 4 + 4) words).
  uint256 internal constant TX_EFFECT_FEE_OFFSET = 32;
  uint256 internal constant TX_EFFECT_FIRST_NULLIFIER_OFFSET = 224;
  uint256 internal constant TX_EFFECT_L2_TO_L1_MSGS_OFFSET = 352;
  uint256 internal constant HEADER_LENGTH = 21;
  uint256 internal constant HEADER_SIZE_BYTES = 672;
  uint256 internal constant ROOT_PUBLIC_INPUTS_LENGTH = 55;
  uint256 internal constant MAX_BASIS_POINTS = 10_000;
  /// @dev Fees, balances and every fee sum the circuits handle are below 2^128.
  uint256 internal constant MAX_FEE_BITS = 128;
  uint256 internal constant FIELD_MODULUS =
    21888242871839275222246405745257275088548364400416034343698204186575808495617;
}
