// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

interface IProofCommitmentEscrow {
  error NotRollup(address caller);
  error NotOwner(address caller);
  error RollupAlreadySet();
  error ZeroAddress();
  error ZeroAmount();
  error InsufficientDeposit(address prover, uint256 available, uint256 required);
  error NoWithdrawalRequested(address prover);
  error WithdrawalNotReady(uint256 executableAt, uint256 now_);
  error InsufficientStake(uint256 staked, uint256 required);
  /// @dev The token returned false (or anything but true), reverted without a reason, or is not a contract. A token's
  /// revert with a reason is passed on as is.
  error TokenCallFailed(address token, bytes4 selector);

  event Deposited(address indexed prover, uint256 amount);
  event WithdrawStarted(address indexed prover, uint256 amount, uint256 executableAt);
  event WithdrawExecuted(address indexed prover, uint256 amount);
  event BondStaked(address indexed prover, uint256 amount);
  event BondUnstaked(address indexed prover, uint256 amount);
  /// @dev The slashed amount is burned.
  event BondSlashed(address indexed prover, uint256 amount);

  function deposit(uint256 amount) external;
  function startWithdraw(uint256 amount) external;
  function executeWithdraw() external;
  function stakeBond(address prover, uint256 amount) external;
  function unstakeBond(address prover, uint256 amount) external;
  function slashBond(address prover, uint256 amount) external;
  function deposits(address prover) external view returns (uint256);
  function staked(address prover) external view returns (uint256);
}
