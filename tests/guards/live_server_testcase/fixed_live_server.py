"""ChannelsLiveServerTestCase fixed: a test database the server can open (``live_settings``), the
server process class from a module without models (``live_process``), connections closed before
the fork. ``LIVE_START_METHOD`` picks the start method ("fork", Linux's default up to Python
3.13, or "spawn", the default on macOS and Windows)."""

import multiprocessing
import os

from channels.testing import ChannelsLiveServerTestCase
from django.contrib.auth.models import User
from live_process import LiveServerProcess, join_as

multiprocessing.set_start_method(os.environ.get("LIVE_START_METHOD", "fork"), force=True)


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False
    ProtocolServerProcess = LiveServerProcess

    @classmethod
    def setUpClass(cls):
        User.objects.exists()  # the test's connection is open when the server starts
        super().setUpClass()

    def test_the_server_reads_the_user_the_test_made(self):
        ada = User.objects.create_user("ada")
        reply = join_as(self.live_server_ws_url, ada.pk)
        self.assertEqual(reply, {"type": "joined", "role": "player", "room": "live", "player_num": 1})
        self.assertEqual(User.objects.count(), 1)  # and the test's own connection still works
