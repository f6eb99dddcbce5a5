// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IBurnableERC20} from "./interfaces/IERC20.sol";
import {IProofCommitmentEscrow} from "./interfaces/IProofCommitmentEscrow.sol";

/// @notice Provers deposit bond tokens here before bidding. The Rollup stakes a bond when it accepts a quote,
/// unstakes it when the epoch is proven, and slashes it when the prover fails: a slashed bond is burned. Withdrawals
/// wait `withdrawDelay` seconds, so a prover cannot pull its deposit between signing a quote and the claim. Every token
/// call must succeed: a token that reverts, returns false or is no contract fails the call with TokenCallFailed.
contract ProofCommitmentEscrow is IProofCommitmentEscrow {
  struct WithdrawRequest {
    uint256 amount;
    uint256 executableAt;
  }

  IBurnableERC20 public immutable token;
  address public immutable owner;
  uint256 public immutable withdrawDelay;
  address public rollup;
  mapping(address => uint256) public deposits;
  mapping(address => uint256) public staked;
  mapping(address => WithdrawRequest) public withdrawRequests;

  constructor(IBurnableERC20 token_, uint256 withdrawDelay_, address owner_) {
    token = token_;
    withdrawDelay = withdrawDelay_;
    owner = owner_;
  }

  /// @notice One-time wiring by the owner (the Rollup is deployed after the escrow).
  function setRollup(address rollup_) external {
    if (msg.sender != owner) revert NotOwner(msg.sender);
    if (rollup != address(0)) revert RollupAlreadySet();
    if (rollup_ == address(0)) revert ZeroAddress();
    rollup = rollup_;
  }

  modifier onlyRollup() {
    if (msg.sender != rollup) revert NotRollup(msg.sender);
    _;
  }

  function deposit(uint256 amount) external {
    if (amount == 0) revert ZeroAmount();
    _callToken(abi.encodeCall(token.transferFrom, (msg.sender, address(this), amount)));
    deposits[msg.sender] += amount;
    emit Deposited(msg.sender, amount);
  }

  /// @notice Starts (or replaces) a withdrawal request, executable after `withdrawDelay` seconds.
  function startWithdraw(uint256 amount) external {
    if (amount == 0) revert ZeroAmount();
    uint256 available = deposits[msg.sender];
    if (available < amount) revert InsufficientDeposit(msg.sender, available, amount);
    uint256 readyAt = block.timestamp + withdrawDelay;
    withdrawRequests[msg.sender] = WithdrawRequest(amount, readyAt);
    emit WithdrawStarted(msg.sender, amount, readyAt);
  }

  function executeWithdraw() external {
    WithdrawRequest memory r = withdrawRequests[msg.sender];
    if (r.amount == 0) revert NoWithdrawalRequested(msg.sender);
    if (block.timestamp < r.executableAt) revert WithdrawalNotReady(r.executableAt, block.timestamp);
    uint256 available = deposits[msg.sender];
    if (available < r.amount) revert InsufficientDeposit(msg.sender, available, r.amount);
    delete withdrawRequests[msg.sender];
    deposits[msg.sender] = available - r.amount;
    _callToken(abi.encodeCall(token.transfer, (msg.sender, r.amount)));
    emit WithdrawExecuted(msg.sender, r.amount);
  }

  function stakeBond(address prover, uint256 amount) external onlyRollup {
    uint256 available = deposits[prover];
    if (available < amount) revert InsufficientDeposit(prover, available, amount);
    deposits[prover] = available - amount;
    staked[prover] += amount;
    emit BondStaked(prover, amount);
  }

  function unstakeBond(address prover, uint256 amount) external onlyRollup {
    uint256 s = staked[prover];
    if (s < amount) revert InsufficientStake(s, amount);
    staked[prover] = s - amount;
    deposits[prover] += amount;
    emit BondUnstaked(prover, amount);
  }

  /// @notice Burns `amount` of the prover's stake.
  function slashBond(address prover, uint256 amount) external onlyRollup {
    uint256 s = staked[prover];
    if (s < amount) revert InsufficientStake(s, amount);
    staked[prover] = s - amount;
    if (amount > 0) _callToken(abi.encodeCall(token.burn, (amount)));
    emit BondSlashed(prover, amount);
  }

  /// @dev Calls the token; success = no revert and either an ABI-encoded `true` or no return data from a contract.
  /// A revert with data is passed on as is (the token's own error, e.g. its allowance check).
  function _callToken(bytes memory data) private {
    address t = address(token);
    (bool ok, bytes memory ret) = t.call(data);
    if (!ok && ret.length > 0) {
      assembly ("memory-safe") {
        revert(add(ret, 32), mload(ret))
      }
    }
    bool accepted = ok && (ret.length == 0 ? t.code.length > 0 : ret.length == 32 && abi.decode(ret, (uint256)) == 1);
    if (!accepted) revert TokenCallFailed(t, bytes4(data));
  }
}
