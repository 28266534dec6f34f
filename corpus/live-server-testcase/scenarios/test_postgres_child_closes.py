"""PostgreSQL, ``fork``: the test's connection is open when the server process forks, so the
child holds a copy of its socket. A server process that "closes the connections it inherited"
(``connections.close_all()``, advice often given for forked workers) ends the parent's session:
closing sends PostgreSQL's Terminate message on the shared socket. The test's next query fails."""

from live_database import join_as, postgres_test_database

postgres_test_database()

from channels.testing import ChannelsLiveServerTestCase  # noqa: E402
from daphne.testing import DaphneProcess  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections  # noqa: E402


def close_inherited_then(setup):
    def run():
        connections.close_all()
        if setup is not None:
            setup()

    return run


class ClosingDaphneProcess(DaphneProcess):
    def __init__(self, *args, setup=None, **kwargs):
        super().__init__(*args, setup=close_inherited_then(setup), **kwargs)


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False
    ProtocolServerProcess = ClosingDaphneProcess

    @classmethod
    def setUpClass(cls):
        get_user_model().objects.exists()  # the test's connection is open when the server forks
        super().setUpClass()

    def test_a_user_joins_a_match(self):
        ada = get_user_model().objects.create_user("ada")
        self.assertEqual(join_as(self.live_server_ws_url, ada.pk)["type"], "joined")
