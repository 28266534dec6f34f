"""The harness's test settings with a file test database, which ``ChannelsLiveServerTestCase``
accepts (it refuses Django's in-memory SQLite default before anything else runs)."""

import os
from pathlib import Path

from harness.settings.test import *  # noqa: F403
from harness.settings.test import DATABASES

TEST_FILE = os.environ.setdefault("LIVE_TEST_DATABASE", f"test_live_{os.getpid()}.sqlite3")
DATABASES["default"]["TEST"] = {"NAME": str(Path(DATABASES["default"]["NAME"]).resolve().with_name(TEST_FILE))}
