"""live-server-parallel's fix, as a suite: the live-server classes are tagged ``live`` (run
apart from ``--parallel``) and extend ``setUpClass``/``setUp``, never ``_pre_setup``."""

import asyncio
import json

from channels.testing import ChannelsLiveServerTestCase
from django.contrib.auth import get_user_model
from django.test import SimpleTestCase, tag

from harness.client import connect
from harness.tokens import issue_token


def join_as(base_url: str, user_id: int, timeout: float = 10.0) -> dict:
    async def talk():
        async with await connect(base_url, "/ws/match/live/", token=issue_token(user_id), timeout=timeout) as ws:
            await ws.send(json.dumps({"type": "join", "role": "player"}))
            return json.loads(await asyncio.wait_for(ws.recv(), timeout))

    return asyncio.run(talk())


@tag("live")
class FirstLiveTests(ChannelsLiveServerTestCase):
    serve_static = False

    @classmethod
    def setUpClass(cls):  # once per class, on every Django; not _pre_setup
        super().setUpClass()
        cls.room = "live"

    def setUp(self):  # per test: what an instance _pre_setup override used to do
        super().setUp()
        self.ada = get_user_model().objects.create_user("ada")

    def test_a_user_joins_a_match(self):
        self.assertEqual(join_as(self.live_server_ws_url, self.ada.pk)["type"], "joined")


@tag("live")
class SecondLiveTests(FirstLiveTests):
    pass


class FirstPlainTests(SimpleTestCase):
    def test_arithmetic(self):
        self.assertEqual(1 + 1, 2)


class SecondPlainTests(FirstPlainTests):
    pass
