"""The stock ChannelsLiveServerTestCase under ``spawn``, with the test database named in the
settings module (``live_settings``) and nothing else changed: passes where channels points the
spawned server at ``TEST.NAME`` itself (>= 4.3.0); before, the server opens ``NAME``, a database
nobody migrated, and the handshake fails with HTTP 500 (``no such table`` in its log)."""

import multiprocessing

from channels.testing import ChannelsLiveServerTestCase
from django.contrib.auth.models import User
from live_process import join_as

multiprocessing.set_start_method("spawn", force=True)


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False

    def test_the_server_reads_the_user_the_test_made(self):
        ada = User.objects.create_user("ada")
        self.assertEqual(join_as(self.live_server_ws_url, ada.pk)["type"], "joined")
