"""Django's test runner: an async SimpleTestCase test whose path the project routes differently."""

from channels.testing import WebsocketCommunicator
from django.test import SimpleTestCase

from harness.stacks import production_stack


class RoutingTests(SimpleTestCase):
    async def test_echo_without_trailing_slash(self):
        communicator = WebsocketCommunicator(
            production_stack(), "/ws/echo", headers=[(b"origin", b"http://localhost")]
        )
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
