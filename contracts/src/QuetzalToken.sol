// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.27;

import {IMintableERC20} from "./interfaces/IERC20.sol";

/// @notice ERC20 for prover bonds and rewards. The owner mints and names other minters (the Rollup mints rewards);
/// anyone burns its own tokens (the escrow burns slashed bonds).
contract QuetzalToken is IMintableERC20 {
  error NotOwner(address caller);
  error NotMinter(address caller);
  error InsufficientBalance(address account, uint256 balance, uint256 needed);
  error InsufficientAllowance(address spender, uint256 allowance, uint256 needed);
  error InvalidReceiver(address receiver);

  event MinterSet(address indexed minter, bool allowed);

  string public name;
  string public symbol;
  uint8 public constant decimals = 18;
  uint256 public totalSupply;
  address public immutable owner;
  mapping(address => uint256) public balanceOf;
  mapping(address => mapping(address => uint256)) public allowance;
  mapping(address => bool) public isMinter;

  constructor(string memory name_, string memory symbol_, address owner_) {
    name = name_;
    symbol = symbol_;
    owner = owner_;
    isMinter[owner_] = true;
  }

  function setMinter(address minter, bool allowed) external {
    if (msg.sender != owner) revert NotOwner(msg.sender);
    isMinter[minter] = allowed;
    emit MinterSet(minter, allowed);
  }

  function mint(address to, uint256 value) external {
    if (!isMinter[msg.sender]) revert NotMinter(msg.sender);
    if (to == address(0)) revert InvalidReceiver(to);
    totalSupply += value;
    unchecked {
      balanceOf[to] += value;
    }
    emit Transfer(address(0), to, value);
  }

  function burn(uint256 value) external {
    uint256 b = balanceOf[msg.sender];
    if (b < value) revert InsufficientBalance(msg.sender, b, value);
    unchecked {
      balanceOf[msg.sender] = b - value;
      totalSupply -= value;
    }
    emit Transfer(msg.sender, address(0), value);
  }

  function transfer(address to, uint256 value) external returns (bool) {
    _transfer(msg.sender, to, value);
    return true;
  }

  function approve(address spender, uint256 value) external returns (bool) {
    allowance[msg.sender][spender] = value;
    emit Approval(msg.sender, spender, value);
    return true;
  }

  function transferFrom(address from, address to, uint256 value) external returns (bool) {
    uint256 a = allowance[from][msg.sender];
    if (a != type(uint256).max) {
      if (a < value) revert InsufficientAllowance(msg.sender, a, value);
      unchecked {
        allowance[from][msg.sender] = a - value;
      }
    }
    _transfer(from, to, value);
    return true;
  }

  function _transfer(address from, address to, uint256 value) private {
    if (to == address(0)) revert InvalidReceiver(to);
    uint256 b = balanceOf[from];
    if (b < value) revert InsufficientBalance(from, b, value);
    unchecked {
      balanceOf[from] = b - value;
      balanceOf[to] += value;
    }
    emit Transfer(from, to, value);
  }
}
