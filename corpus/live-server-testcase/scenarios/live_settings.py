"""The harness's test settings with a test database a server process can open.

SQLite (the default): ``TEST.NAME`` is a file beside the database, so the test database is a
file, not Django's in-memory default (which ``ChannelsLiveServerTestCase`` refuses). A settings
module, not a change made at run time, because a server process started with ``spawn`` imports
the settings afresh and sees nothing the parent changed.
"""

from pathlib import Path

from harness.settings.test import *  # noqa: F403
from harness.settings.test import DATABASES

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {"NAME": str(Path(DATABASES["default"]["NAME"]).resolve().with_name("test_live.sqlite3"))}
