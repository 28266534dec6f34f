# kb-corpus: channels >= 4.3.1
"""Django's test runner (the server's log reaches the terminal), PostgreSQL, ``fork``, no
``TEST.NAME`` (Django's default, ``test_<NAME>``): from channels 4.3.1
the server process's set-up (``channels.testing.live.set_database_connection``) prefixes
``test_`` to ``NAME``, which in a forked child already is the test database's name, so the server
asks for ``test_test_<NAME>``, which does not exist: HTTP 500 at the handshake."""

from live_database import join_as, postgres_test_database

postgres_test_database(test_name=False)

from channels.testing import ChannelsLiveServerTestCase  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False

    def test_a_user_joins_a_match(self):
        ada = get_user_model().objects.create_user("ada")
        self.assertEqual(join_as(self.live_server_ws_url, ada.pk)["type"], "joined")
