# kb-corpus: pytest >= 9.0
# kb-corpus: pytest < 9.1
"""Strict mode: an autouse async fixture declared with @pytest.fixture, and a sync test."""

import pytest
from channels.layers import get_channel_layer


@pytest.fixture(autouse=True)  # should be @pytest_asyncio.fixture in strict mode
async def clean_layer():
    yield
    await get_channel_layer().flush()


def test_layer_is_configured():
    assert get_channel_layer() is not None
