"""An echo test over Channels' own ChannelsLiveServerTestCase (Daphne in a multiprocessing child)."""

import asyncio

import websockets
from channels.testing import ChannelsLiveServerTestCase


class EchoOverChannelsLiveServer(ChannelsLiveServerTestCase):
    serve_static = False

    def test_echo(self):
        async def talk():
            async with websockets.connect(self.live_server_ws_url + "/ws/echo/", origin="http://localhost") as ws:
                await ws.send("hello")
                return await asyncio.wait_for(ws.recv(), 5)

        self.assertEqual(asyncio.run(talk()), "hello")
