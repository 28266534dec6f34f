"""Guard for live-server-testcase: ChannelsLiveServerTestCase set up as the entry's fix works
under fork and spawn on SQLite, and on a real PostgreSQL.

``tests/guards/live_server_testcase/fixed_live_server.py`` is the fix (a file or explicitly
named test database in the settings module, the server process class in a module without
models, connections closed before the fork). It runs with pytest-django in sessions of its own,
as a user's suite would; the server must read the user the test made, and the test's own
connection must still work afterwards.
"""

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

pytestmark = pytest.mark.realserver

FIXED = Path(__file__).with_name("live_server_testcase")
REPO = FIXED.parent.parent.parent


def run_fixed(database: str, start_method: str, database_url: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(HARNESS_DATABASE=database, LIVE_START_METHOD=start_method, PYTHONPATH=str(REPO),
               PYTHONDONTWRITEBYTECODE="1", HARNESS_DB_PATH=str(FIXED / "live.sqlite3"))
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "pytest", "fixed_live_server.py", "-q", "--color=no", "-p", "no:cacheprovider"],
        cwd=FIXED, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize(("database", "start_method"), [("sqlite", "fork"), ("sqlite", "spawn"), ("postgres", "fork")])
def test_the_fixed_live_server_test_case_passes(database, start_method, request):
    url = request.getfixturevalue("postgres_url") if database == "postgres" else None
    run = run_fixed(database, start_method, url)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert re.search(r"^1 passed", run.stdout, re.M), output


def test_daphne_is_installed_with_channels_testing():
    """channels >= 4.0 makes daphne an extra; ``channels.testing`` imports it at import."""
    assert "daphne" in {re.split(r"[<>=!~ ;\[]", r)[0].lower() for r in (REPO / "requirements.txt").read_text().splitlines() if r and not r.startswith("#")}
    assert metadata.version("daphne")


def test_the_fixed_sessions_are_not_collected_by_the_repository_run():
    """pytest-django is off in the repository's run; these files need it."""
    assert not list(FIXED.glob("test_*.py"))


def test_the_write_ups_snippet_is_the_class_the_guard_runs():
    """``LiveServerProcess`` in the write-up (``python snippet=live-server-process``), run alone,
    compiles to the same ``start`` and ``run`` as the class the fixed sessions above use."""
    import importlib.util

    from kb.snippets import load

    copied = load("live-server-testcase", "live-server-process").LiveServerProcess
    spec = importlib.util.spec_from_file_location("live_process", FIXED / "live_process.py")
    tested = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tested)
    for method in ("start", "run"):
        ours, theirs = getattr(copied, method).__code__, getattr(tested.LiveServerProcess, method).__code__
        assert (ours.co_code, ours.co_consts, ours.co_names) == (theirs.co_code, theirs.co_consts, theirs.co_names), method
