"""Test settings for ``ChannelsLiveServerTestCase``: a test database a server process can open,
named in the settings module (a ``spawn``ed server imports settings afresh).

- SQLite: ``TEST.NAME`` is a file (without it Django's SQLite test database is in memory, which
  the test case refuses).
- PostgreSQL: ``TEST.NAME`` spelled out, ``test_<NAME>``: channels >= 4.3.0 derives the server's
  database from ``TEST.NAME``; when it is unset, 4.3.0 passes ``None`` (PostgreSQL's ``postgres``
  database) and >= 4.3.1 prefixes ``test_`` to a ``NAME`` that a forked server already sees
  prefixed.
"""

import os
from pathlib import Path

from harness.settings.test import *  # noqa: F403
from harness.settings.test import DATABASES

# One file per test run (runs may share this folder); a spawned server inherits the environment,
# so it reads the same name.
TEST_FILE = os.environ.setdefault("LIVE_TEST_DATABASE", f"test_live_{os.getpid()}.sqlite3")
default = DATABASES["default"]
if default["ENGINE"].endswith("sqlite3"):
    default["TEST"] = {"NAME": str(Path(default["NAME"]).resolve().with_name(TEST_FILE))}
else:
    default["TEST"] = {"NAME": f"test_{default['NAME']}"}
