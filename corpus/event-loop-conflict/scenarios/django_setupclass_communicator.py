# kb-corpus: asgiref >= 3.9
"""Django's TestCase with async tests: a communicator connected once in ``setUpClass`` and
kept for the class. Django runs ``setUpClass`` and each async test through ``async_to_sync``,
each in an event loop of its own that is ended (its leftover tasks cancelled) when the call
returns, so the consumer connected in ``setUpClass`` is already cancelled when a test uses it."""

from asgiref.sync import async_to_sync
from django.test import TestCase

from harness.client import communicator


class EchoTests(TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.echo = communicator("/ws/echo/")
        connected, _ = async_to_sync(cls.echo.connect)()
        assert connected

    async def test_echo_replies(self):
        await self.echo.send_to(text_data="ping")
        self.assertEqual(await self.echo.receive_from(), "ping")
