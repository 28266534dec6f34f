"""Test settings for ``ChannelsLiveServerTestCase``: a test database a server process can open,
named in the settings module (a ``spawn``ed server imports settings afresh).

- SQLite: ``TEST.NAME`` is a file (without it Django's SQLite test database is in memory, which
  the test case refuses).
- PostgreSQL: ``TEST.NAME`` spelled out, ``test_<NAME>``: channels >= 4.3.1 derives the server's
  database from ``TEST.NAME`` and, when it is unset, prefixes ``test_`` to a ``NAME`` that a
  forked server already sees prefixed.
"""

from pathlib import Path

from harness.settings.test import *  # noqa: F403
from harness.settings.test import DATABASES

default = DATABASES["default"]
if default["ENGINE"].endswith("sqlite3"):
    default["TEST"] = {"NAME": str(Path(default["NAME"]).resolve().with_name("test_live.sqlite3"))}
else:
    default["TEST"] = {"NAME": f"test_{default['NAME']}"}
