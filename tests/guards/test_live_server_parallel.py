"""Guard for live-server-parallel: the live-server classes run apart from Django's
``--parallel`` pool, and they extend ``setUpClass``/``setUp`` rather than ``_pre_setup``.

``tests/guards/live_server_parallel/fixed_suite.py`` is the fix: two ``ChannelsLiveServerTestCase``
classes tagged ``live`` and two plain ones. It runs under Django's own runner, as a user's
``manage.py test`` would: the plain classes with ``--parallel 2 --exclude-tag live``, the live
ones with ``--tag live`` (serial); each live test talks to the real server it started.
"""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.realserver

FIXED = Path(__file__).with_name("live_server_parallel")
REPO = FIXED.parent.parent.parent


def django_test(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(PYTHONPATH=str(REPO), PYTHONDONTWRITEBYTECODE="1", HARNESS_DATABASE="sqlite",
               HARNESS_DB_PATH=str(FIXED / "live.sqlite3"))
    return subprocess.run(
        [sys.executable, "-m", "django", "test", "fixed_suite", "--noinput", "--settings", "settings", *args],
        cwd=FIXED, env=env, capture_output=True, text=True, timeout=240,
    )


@pytest.mark.parametrize(("args", "ran"), [(("--parallel", "2", "--exclude-tag", "live"), 2), (("--tag", "live"), 2)])
def test_the_live_tests_pass_run_apart_from_the_parallel_pool(args, ran):
    run = django_test(*args)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert re.search(rf"^Ran {ran} tests? in ", output, re.M), output
    assert "daemonic processes" not in output


def test_no_live_server_class_extends_pre_setup():
    """Django 5.2 calls ``cls._pre_setup()`` from ``setUpClass``: an instance override breaks."""
    tree = ast.parse((FIXED / "fixed_suite.py").read_text(encoding="utf-8"))
    hooks = [f.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef)
             for f in c.body if isinstance(f, ast.FunctionDef)]
    assert "setUpClass" in hooks and "_pre_setup" not in hooks
