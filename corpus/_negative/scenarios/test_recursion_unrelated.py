"""Not rate-limit-recursion: a RecursionError from an unrelated recursive helper (a tree walk
over a cyclic structure) inside an async test."""

import pytest


def depth(node: dict) -> int:
    return 1 + max((depth(child) for child in node["children"]), default=0)


@pytest.mark.asyncio
async def test_tree_depth():
    root = {"children": []}
    root["children"].append(root)  # a cycle: depth() never ends
    assert depth(root) == 1
