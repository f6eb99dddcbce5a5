// Protocol constants. Circuits (circuits/lib/src/constants.nr) and contracts
// (contracts/src/Constants.sol) carry the same values; tests check they agree.

// Tree heights: the chain runs MAX_L2_BLOCK_NUMBER = 2^32 blocks with every slot used (SPEC.md
// "Capacity"). Each block appends one aligned subtree of L1_TO_L2_MSGS_PER_BLOCK (2^4) leaves to
// the L1->L2 message tree (2^36 leaves: 2^32 subtrees) and one leaf to the archive (2^36 leaves;
// leaf 0 is genesis). A full block appends 64 x 4 = 2^8 note hashes and at most 2^8 nullifiers, so
// heights of 40 hold 2^32 full blocks (the nullifier tree's leaf 0 is its initial leaf: one
// nullifier less). The public data tree grows only at genesis (fees update leaves in place).
export const NOTE_HASH_TREE_HEIGHT = 40;
export const NULLIFIER_TREE_HEIGHT = 40;
export const PUBLIC_DATA_TREE_HEIGHT = 40;
export const L1_TO_L2_MSG_TREE_HEIGHT = 36;
export const ARCHIVE_TREE_HEIGHT = 36;
export const VK_TREE_HEIGHT = 4;

export const MAX_NOTE_HASHES_PER_TX = 4;
export const MAX_NULLIFIERS_PER_TX = 4;
export const MAX_L2_TO_L1_MSGS_PER_TX = 2;

export const L1_TO_L2_MSGS_PER_BLOCK = 16;
export const L1_TO_L2_MSGS_PER_PARITY_BASE = 8;
export const L1_TO_L2_MSG_SUBTREE_HEIGHT = 4;

export const MAX_BLOCKS_PER_EPOCH = 16;
export const MAX_TXS_PER_BLOCK = 64;

/**
 * The last L2 block number the trees hold: block N appends its messages as subtree N - 1 of the
 * L1->L2 message tree and its hash as archive leaf N. The Rollup refuses later blocks.
 */
export const MAX_L2_BLOCK_NUMBER = Math.min(2 ** (L1_TO_L2_MSG_TREE_HEIGHT - L1_TO_L2_MSG_SUBTREE_HEIGHT), 2 ** ARCHIVE_TREE_HEIGHT - 1);

/** Words in a TxEffect: txHash, transactionFee, feePayer, note hashes, nullifiers, L2->L1 messages. */
export const TX_EFFECT_LENGTH = 3 + MAX_NOTE_HASHES_PER_TX + MAX_NULLIFIERS_PER_TX + MAX_L2_TO_L1_MSGS_PER_TX;
export const TX_EFFECT_SIZE_BYTES = TX_EFFECT_LENGTH * 32;
/** Words in a block header (see SPEC.md). */
export const HEADER_LENGTH = 2 + 4 + 8 + 6 + 1;
/** Words in the root rollup's public inputs (see SPEC.md). */
export const ROOT_PUBLIC_INPUTS_LENGTH = 2 + MAX_BLOCKS_PER_EPOCH + 2 * MAX_BLOCKS_PER_EPOCH + 1 + 4;

export const MAX_BASIS_POINTS = 10_000;

// --- Circuits (appended by the circuits engineer; mirrored in circuits/lib/src/constants.nr) ---
/** ZK UltraHonk proof length in fields, bb 5.0.0, target noir-recursive. */
export const PROOF_LENGTH = 458;
/** Verification key length in fields, bb 5.0.0, target noir-recursive. */
export const VK_LENGTH = 115;
/** bb's PROOF_TYPE for ZK UltraHonk, the constant `std::verify_proof_with_type` takes. */
export const PROOF_TYPE_HONK_ZK = 6;
/** Note hashes of one tx are appended as one aligned subtree of MAX_NOTE_HASHES_PER_TX leaves. */
export const NOTE_HASH_SUBTREE_HEIGHT = 2;
export const NOTE_HASH_SUBTREE_SIBLING_PATH_LENGTH = NOTE_HASH_TREE_HEIGHT - NOTE_HASH_SUBTREE_HEIGHT;
export const L1_TO_L2_MSG_SUBTREE_SIBLING_PATH_LENGTH = L1_TO_L2_MSG_TREE_HEIGHT - L1_TO_L2_MSG_SUBTREE_HEIGHT;
/** Flattened public output lengths of the circuits. */
export const TX_PUBLIC_OUTPUTS_LENGTH = 4 + MAX_NOTE_HASHES_PER_TX + MAX_NULLIFIERS_PER_TX + MAX_L2_TO_L1_MSGS_PER_TX;
export const PARITY_OUTPUTS_LENGTH = 3;
export const TX_ROLLUP_OUTPUTS_LENGTH = 25;
export const BLOCK_ROLLUP_OUTPUTS_LENGTH = 4 + 4 * MAX_BLOCKS_PER_EPOCH + 5;
/** The largest circuit size (gates) the CRS supports: 2^21. */
export const MAX_CIRCUIT_GATES = 2 ** 21;
