# kb-corpus: channels >= 4.3.0
# kb-corpus: channels < 4.3.1
"""Django's test runner (the server's log reaches the terminal), PostgreSQL, ``fork``, no
``TEST.NAME`` (Django's default): channels 4.3.0's server set-up
(``channels.testing.live.set_database_connection``) sets ``NAME`` to ``TEST["NAME"]``, which is
``None``, and Django's PostgreSQL backend connects a ``None`` name to the ``postgres`` maintenance
database, which has no tables: ``relation "auth_user" does not exist``, HTTP 500 at the
handshake, under ``fork`` and ``spawn`` alike (``LIVE_START_METHOD``, default ``fork``). 4.3.1
falls back to ``"test_" + NAME`` instead (``django_postgres_test_prefix_twice``).

With ``LIVE_TEST_NAME=spelled`` (the notebook's fix side under ``fork``; ``kb corpus`` never sets
it) this module spells ``TEST.NAME`` out at import, the stock test case otherwise unchanged: a
forked server inherits that name, a spawned one would not (it imports the settings module
afresh, which does not have it)."""

import multiprocessing
import os

from live_database import join_as, postgres_test_database

postgres_test_database(test_name=os.environ.get("LIVE_TEST_NAME") == "spelled")
multiprocessing.set_start_method(os.environ.get("LIVE_START_METHOD", "fork"), force=True)

from channels.testing import ChannelsLiveServerTestCase  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False

    def test_a_user_joins_a_match(self):
        ada = get_user_model().objects.create_user("ada")
        self.assertEqual(join_as(self.live_server_ws_url, ada.pk)["type"], "joined")
