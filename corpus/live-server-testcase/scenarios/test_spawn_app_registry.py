# kb-corpus: channels >= 4.3
"""The ``spawn`` start method (the default on macOS and Windows; chosen here on Linux): the
server process is a fresh interpreter that unpickles the ``DaphneProcess`` object. Its class is
the project's own subclass, defined in this test module, so the child imports this module, and
the module's first lines import a model before anything in the child has called
``django.setup()``: ``AppRegistryNotReady``, and the test case sees only "Server stopped"."""

import multiprocessing

from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess
from django.contrib.auth.models import User
from live_database import join_as

multiprocessing.set_start_method("spawn", force=True)


class ProjectDaphneProcess(DaphneProcess):
    """A project's own server process class (a place for per-process set-up)."""


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False
    ProtocolServerProcess = ProjectDaphneProcess

    def test_a_user_joins_a_match(self):
        ada = User.objects.create_user("ada")
        self.assertEqual(join_as(self.live_server_ws_url, ada.pk)["type"], "joined")
