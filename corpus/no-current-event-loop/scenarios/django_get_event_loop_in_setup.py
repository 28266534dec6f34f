"""A Django test case whose setUp drives a communicator on asyncio.get_event_loop()."""

import asyncio

from django.test import SimpleTestCase

from harness.client import communicator


async def seed_rooms():
    comm = communicator("/ws/echo/")
    assert (await comm.connect())[0]
    await comm.disconnect()


class EchoTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        asyncio.run(seed_rooms())  # leaves no current event loop behind

    def setUp(self):
        self.loop = asyncio.get_event_loop()  # RuntimeError: There is no current event loop ...
        self.comm = communicator("/ws/echo/")
        connected, _ = self.loop.run_until_complete(self.comm.connect())
        self.assertTrue(connected)

    def tearDown(self):
        self.loop.run_until_complete(self.comm.disconnect())

    def test_echo_round_trip(self):
        self.loop.run_until_complete(self.comm.send_json_to({"type": "ping"}))
        self.assertEqual(self.loop.run_until_complete(self.comm.receive_json_from()), {"type": "ping"})
