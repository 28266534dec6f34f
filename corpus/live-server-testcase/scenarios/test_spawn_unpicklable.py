"""The ``spawn`` start method pickles the server process object in the *test* process, before
any child starts (CPython's ``multiprocessing/popen_spawn_posix.py``, ``_launch``; on Windows the
child is started first and reads nothing: ``EOFError: Ran out of input``). A process object that
holds what pickle cannot store fails there, inside the live test case's set-up: daphne < 4.0's
``DaphneProcess`` held ``setup or (lambda: None)`` (django/daphne#440), so every
``ChannelsLiveServerTestCase`` of channels 2 and 3 failed this way on Windows and on macOS from
Python 3.8. Here a project's subclass keeps such a lambda, as those releases did."""

import multiprocessing

from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess

multiprocessing.set_start_method("spawn", force=True)


class CallbackDaphneProcess(DaphneProcess):
    """A server process with a default callback made by a lambda (daphne < 4.0's own spelling)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.teardown = lambda: None


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False
    ProtocolServerProcess = CallbackDaphneProcess

    def test_the_server_starts(self):
        self.assertTrue(self.live_server_url.startswith("http://"))
