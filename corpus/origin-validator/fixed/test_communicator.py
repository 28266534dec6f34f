"""test_communicator.py and test_override_settings.py fixed: the communicator sends the Origin the
stack allows, and a stack for an overridden ALLOWED_HOSTS is built inside the override."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

ORIGIN = [(b"origin", b"http://localhost")]


@pytest.fixture
def application(harness_db):
    from harness.stacks import production_stack

    return production_stack()


@pytest.mark.asyncio
async def test_echo_connects(application):
    communicator = WebsocketCommunicator(application, "/ws/echo/", headers=ORIGIN)
    try:
        assert await communicator.connect() == (True, None)
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_override(harness_db):
    from harness.stacks import production_stack

    with override_settings(ALLOWED_HOSTS=["app.example.com"]):
        application = production_stack()
        communicator = WebsocketCommunicator(application, "/ws/echo/",
                                             headers=[(b"origin", b"https://app.example.com")])
        try:
            assert await communicator.connect() == (True, None)
        finally:
            await communicator.disconnect()
