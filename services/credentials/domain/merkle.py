"""Merkle trees over credential digests, as in RFC 6962 (Certificate Transparency).

Leaf hash `SHA-256(0x00 ‖ digest)`, node hash `SHA-256(0x01 ‖ left ‖ right)`
(the prefixes keep a leaf from passing for a node); a tree of n leaves
splits at the largest power of two below n. An inclusion proof is the
sibling hashes from the leaf up; checking it needs the leaf's index and the
tree size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def leaf_hash(digest: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + digest).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _root(leaves: Sequence[bytes]) -> bytes:
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(_root(leaves[:k]), _root(leaves[k:]))


def root(digests: Sequence[bytes]) -> bytes:
    """The Merkle root of the digests (in order)."""
    if not digests:
        raise ValueError("a Merkle tree needs at least one leaf")
    return _root([leaf_hash(d) for d in digests])


def _subtree(leaves: Sequence[bytes]) -> tuple[bytes, list[list[bytes]]]:
    """Root and every leaf's path of a subtree, in one pass (O(n log n))."""
    if len(leaves) == 1:
        return leaves[0], [[]]
    k = _split(len(leaves))
    left, left_paths = _subtree(leaves[:k])
    right, right_paths = _subtree(leaves[k:])
    return node_hash(left, right), [p + [right] for p in left_paths] + [p + [left] for p in right_paths]


def proofs(digests: Sequence[bytes]) -> list[list[bytes]]:
    """The inclusion proof of every leaf (bottom up)."""
    return _subtree([leaf_hash(d) for d in digests])[1]


def verify(digest: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: does `proof` place `digest` at `index` of a tree of
    `size` leaves with root `expected_root`?"""
    if not 0 <= index < size:
        return False
    fn, sn = index, size - 1
    current = leaf_hash(digest)
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            current = node_hash(sibling, current)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            current = node_hash(current, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and current == expected_root
