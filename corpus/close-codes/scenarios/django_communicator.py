"""Django's test runner: an async SimpleTestCase reads a frame from a consumer that closed."""

from channels.testing import WebsocketCommunicator
from django.test import SimpleTestCase


class CloseTests(SimpleTestCase):
    async def test_receive_after_close(self):
        from closing_asgi import closing_router

        communicator = WebsocketCommunicator(closing_router(), "/ws/close/code-4000/")
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
        try:
            self.assertEqual(await communicator.receive_from(), "welcome")
        finally:
            await communicator.disconnect()
