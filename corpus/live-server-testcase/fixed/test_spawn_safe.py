"""test_spawn_app_registry.py, test_spawn_unpicklable.py and test_postgres_child_closes.py fixed:
the process class holds a module-level function, not a lambda, and closes nothing it inherited;
the test module imports no model at import (it asks for the user model in the test)."""

from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess


def no_teardown():
    pass


class CallbackDaphneProcess(DaphneProcess):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.teardown = no_teardown


# coverage-measured's trap (KB150: this project's coverage does not measure the server process)
# is another entry's; this variant fixes live-server-testcase's only
class MatchOverLiveServer(ChannelsLiveServerTestCase):  # kb: ignore[KB150]
    serve_static = False
    ProtocolServerProcess = CallbackDaphneProcess

    def test_the_server_starts(self):
        from django.contrib.auth import get_user_model

        get_user_model().objects.create_user("ada")
        self.assertTrue(self.live_server_url.startswith("http://"))
