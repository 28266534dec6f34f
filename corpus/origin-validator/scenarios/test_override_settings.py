"""The Origin is sent, and the host is added to ALLOWED_HOSTS in the test: too late, the
validator was built (as asgi.py builds it at import) before the override."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

ORIGIN = [(b"origin", b"https://app.example.com")]


@pytest.fixture(scope="module")
def application(harness_db):
    from harness.stacks import production_stack

    return production_stack()  # what `from myproject.asgi import application` does


@pytest.mark.asyncio
async def test_override(application):
    with override_settings(ALLOWED_HOSTS=["app.example.com"]):
        communicator = WebsocketCommunicator(application, "/ws/echo/", headers=ORIGIN)
        connected, _ = await communicator.connect()
    try:
        assert connected
    finally:
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_override_result(application):
    with override_settings(ALLOWED_HOSTS=["app.example.com"]):
        communicator = WebsocketCommunicator(application, "/ws/echo/", headers=ORIGIN)
        try:
            assert await communicator.connect() == (True, None)
        finally:
            await communicator.disconnect()
