// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.37;

/// @title AnchorRegistry
/// @notice Records Merkle roots of batches of credential digests. Only the
/// owner (the credential engine's anchoring key) may record a root; anyone may
/// read when and where a root was recorded. A root is recorded at most once.
contract AnchorRegistry {
    struct Anchor {
        uint64 blockNumber;
        uint64 timestamp;
        uint32 leafCount;
    }

    address public owner;
    mapping(bytes32 => Anchor) private anchors;

    event RootAnchored(bytes32 indexed root, uint32 leafCount, uint64 blockNumber);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error AlreadyAnchored(bytes32 root);
    error EmptyBatch();
    error ZeroAddress();

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    constructor() {
        owner = msg.sender;
        emit OwnershipTransferred(address(0), msg.sender);
    }

    /// @notice Record `root`, the Merkle root of `leafCount` credential digests.
    function anchor(bytes32 root, uint32 leafCount) external onlyOwner {
        if (leafCount == 0 || root == bytes32(0)) revert EmptyBatch();
        if (anchors[root].blockNumber != 0) revert AlreadyAnchored(root);
        anchors[root] = Anchor(uint64(block.number), uint64(block.timestamp), leafCount);
        emit RootAnchored(root, leafCount, uint64(block.number));
    }

    /// @notice Where `root` was recorded; all zero if it never was.
    function anchorOf(bytes32 root) external view returns (uint64 blockNumber, uint64 timestamp, uint32 leafCount) {
        Anchor memory a = anchors[root];
        return (a.blockNumber, a.timestamp, a.leafCount);
    }

    /// @notice Hand the registry to another anchoring key.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
