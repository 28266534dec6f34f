"""The harness's test settings with a test database a server process can open.

SQLite (the default): ``TEST.NAME`` is a file beside the database, so the test database is a
file, not Django's in-memory default (which ``ChannelsLiveServerTestCase`` refuses). A settings
module, not a change made at run time, because a server process started with ``spawn`` imports
the settings afresh and sees nothing the parent changed.
"""

import os
from pathlib import Path

from harness.settings.test import *  # noqa: F403
from harness.settings.test import DATABASES

# One file per test run (sessions may run side by side in one folder); a spawned server inherits
# the environment, so it reads the same name.
TEST_FILE = os.environ.setdefault("LIVE_TEST_DATABASE", f"test_live_{os.getpid()}.sqlite3")
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(Path(DATABASES["default"]["NAME"]).resolve().with_name(TEST_FILE))}
