// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title FluxToken: the FLUX parallel asset on an EVM chain.
/// @notice An ERC-20 with 8 decimals (1 unit = 1 zatoshi). Only the bridge that
/// deployed it mints and burns; there is no owner, no pause and no premine.
contract FluxToken is ERC20 {
    /// @notice The FluxBridge that deployed this token: the only minter and burner.
    address public immutable bridge;

    /// @notice The caller is not the bridge.
    error OnlyBridge(address caller);

    constructor() ERC20("Flux", "FLUX") {
        bridge = msg.sender;
    }

    modifier onlyBridge() {
        if (msg.sender != bridge) revert OnlyBridge(msg.sender);
        _;
    }

    /// @notice FLUX has 8 decimals on every chain.
    function decimals() public pure override returns (uint8) {
        return 8;
    }

    /// @notice Mints amount to `to`. Bridge only.
    function mint(address to, uint256 amount) external onlyBridge {
        _mint(to, amount);
    }

    /// @notice Mints to many holders in one call, as one call of mint per
    /// word of mints would, in order (a Transfer event each). A word is
    /// amount << 160 | recipient: the amount in its top 96 bits, the
    /// recipient's address in its low 160. Bridge only.
    function mintBatch(uint256[] calldata mints) external onlyBridge {
        for (uint256 i; i < mints.length; ++i) {
            uint256 m = mints[i];
            _mint(address(uint160(m)), m >> 160);
        }
    }

    /// @notice Burns amount of `from`'s tokens. Bridge only: the bridge burns
    /// only the tokens of the account calling FluxBridge.burn.
    function bridgeBurn(address from, uint256 amount) external onlyBridge {
        _burn(from, amount);
    }
}
