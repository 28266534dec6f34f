"""Test settings with a file-based SQLite test database (ChannelsLiveServerTestCase refuses
in-memory ones)."""

from pathlib import Path

from harness.settings.test import *  # noqa: F403

HERE = Path(__file__).resolve().parent
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(HERE / "live.sqlite3"),
        "TEST": {"NAME": str(HERE / "test_live.sqlite3")},
    }
}
