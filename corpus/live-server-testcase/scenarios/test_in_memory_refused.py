"""SQLite with Django's default test database, which is in memory: ChannelsLiveServerTestCase
refuses it before it starts a server (``setUpClass``), on every channels 4 release. The server
would run in another process, which cannot open this process's in-memory database."""

from live_database import in_memory_test_database, join_as

in_memory_test_database()

from channels.testing import ChannelsLiveServerTestCase  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False

    def test_a_user_joins_a_match(self):
        ada = get_user_model().objects.create_user("ada")
        self.assertEqual(join_as(self.live_server_ws_url, ada.pk)["type"], "joined")
