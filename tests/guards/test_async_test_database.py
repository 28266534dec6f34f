"""Guard for async-test-database: the fixed patterns hold on SQLite and on a real PostgreSQL.

``tests/guards/async_test_database/fixed_*.py`` are the fixes of the entry (``transaction=True``
with the worker thread's connections closed after the test; a Django ``TestCase`` with Channels'
``close_old_connections`` replaced). They run with pytest-django in sessions of their own, as a
user's suite would; each session must pass every test and leave a test database that can be
dropped (pytest-django turns a failed drop into a warning, so the warning is what is checked).
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.realserver

FIXED = Path(__file__).with_name("async_test_database")
REPO = FIXED.parent.parent.parent
TEARDOWN_FAILED = "Error when trying to teardown test databases"


def run_fixed(database: str, database_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(HARNESS_DATABASE=database, PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    files = sorted(p.name for p in FIXED.glob("fixed_*.py"))
    return subprocess.run(
        [sys.executable, "-m", "pytest", *files, "-q", "--color=no", "-p", "no:cacheprovider"],
        cwd=FIXED, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_the_fixes_pass_and_the_test_database_can_be_dropped(database, request):
    url = request.getfixturevalue("postgres_url") if database == "postgres" else None
    run = run_fixed(database, url)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert re.search(r"^4 passed", run.stdout, re.M), output
    assert TEARDOWN_FAILED not in output


def test_the_fixed_sessions_are_not_collected_by_the_repository_run():
    """pytest-django is off in the repository's run; these files need it, so they must not be
    named like tests there (they are run explicitly above)."""
    assert not list(FIXED.glob("test_*.py"))
    assert len(list(FIXED.glob("fixed_*.py"))) == 2
