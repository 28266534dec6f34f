# kb-corpus: python >= 3.12
"""A misspelt assertion: Python 3.12+ refuses ``called_once`` (3.11 lets it pass, silently)."""

from unittest.mock import AsyncMock


def test_a():
    ws = AsyncMock()  # nothing sends on it: this test must fail
    assert ws.send_json.called_once()
