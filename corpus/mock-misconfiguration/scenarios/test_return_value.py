"""A mock whose call returns a plain value where the code awaits the call's result: the awaited
object is that return value, so the TypeError names its type (``str``, ``function``, ...), not
``Mock``. A reply the real client would return after ``await`` (``"OK"``), or a fake meant as
``side_effect`` given as ``return_value`` (the function itself comes back)."""

import asyncio
from unittest.mock import AsyncMock, Mock

import pytest

from harness.prices import ConnectionManager


def fake_subscribe(*channels):
    return None


def manager_over(pubsub):
    return ConnectionManager(AsyncMock(), client=Mock(pubsub=Mock(return_value=pubsub)))


@pytest.mark.asyncio
async def test_return_value_is_a_reply():
    pubsub = Mock()
    pubsub.subscribe.return_value = "OK"
    await asyncio.wait_for(manager_over(pubsub).subscribe("ACME"), 5)


@pytest.mark.asyncio
async def test_return_value_is_a_function():
    pubsub = Mock(subscribe=Mock(return_value=fake_subscribe))
    await asyncio.wait_for(manager_over(pubsub).subscribe("ACME"), 5)
