"""The failed-test cascade of pytest-asyncio < 1.1, captured from a real run of 0.23.8.

Writes a three-test module (test 1 connects a consumer on the Redis layer configured in
settings and fails before its ``disconnect()``; tests 2 and 3 are correct) and runs it with
pytest 8.3.5 + pytest-asyncio 0.23.8 (``kb.envs.overlay``), which close each test's loop without
cancelling what is left on it. Prints pytest's output; exits 1 when the cascade happened
(3 failed), 0 otherwise (pytest-asyncio >= 1.1 gives 1 failed, 2 passed)."""

import os
import sys
import tempfile
import textwrap
from pathlib import Path

from kb.envs import overlay, run_python

TESTS = '''
import pytest

from harness.client import communicator


async def joined(room, user):
    comm = communicator(f"/ws/match/{room}/", user=user)
    assert (await comm.connect(timeout=5))[0]
    await comm.send_json_to({"type": "join", "role": "player"})
    assert (await comm.receive_json_from(timeout=5))["type"] == "joined"
    return comm


@pytest.mark.asyncio
async def test_1_fails_before_disconnect(harness_db):
    comm = await joined("cascade-1", "alice")
    assert (await comm.receive_json_from(timeout=5))["status"] == "a status that never comes"
    await comm.disconnect()


@pytest.mark.asyncio
async def test_2_correct(harness_db):
    comm = await joined("cascade-2", "alice")
    assert (await comm.receive_json_from(timeout=5))["status"] == "waiting_for_opponent"
    await comm.disconnect()


@pytest.mark.asyncio
async def test_3_correct(harness_db):
    comm = await joined("cascade-3", "bob")
    assert (await comm.receive_json_from(timeout=5))["status"] == "waiting_for_opponent"
    await comm.disconnect()
'''

with tempfile.TemporaryDirectory(prefix="cascade-") as folder:
    Path(folder, "conftest.py").write_text('pytest_plugins = ["harness.fixtures"]\n')
    Path(folder, "pytest.ini").write_text("[pytest]\nasyncio_mode = strict\n")
    Path(folder, "test_cascade.py").write_text(textwrap.dedent(TESTS))
    run = run_python(
        "-m", "pytest", "test_cascade.py", "--color=no", "-p", "no:cacheprovider", "-p", "no:kb_known_issues",
        "-W", "ignore::DeprecationWarning", "-rA",
        overlay=overlay("pytest==8.3.5", "pytest-asyncio==0.23.8"), cwd=folder, timeout=240,
        env={"HARNESS_CHANNEL_LAYER": "redis", "REDIS_URL": os.environ["REDIS_URL"], "COLUMNS": "80"},
    )
print(run.stdout + run.stderr)
sys.exit(1 if "3 failed" in run.stdout else 0)
