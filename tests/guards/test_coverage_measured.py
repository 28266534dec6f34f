"""Guard for entry coverage-measured: what a suite executed is measured, not inferred.

Each suite is written to a temp folder and run by pytest in its own process under
``coverage run --branch``, and the JSON report is read per module:

- a suite that passes without ever connecting (no Origin, assertions a refusal satisfies) and the
  same suite fixed pass in equal numbers, yet only the fixed one enters any consumer or middleware
  function (fails if the production stack lets Origin-less connections reach the consumers, or if
  the measurement stops seeing the difference);
- a live-server test measured in the pytest process only collects no data, and measured in the
  Daphne process too (``patch = subprocess``) shows the consumers it ran (fails if servers stop
  writing their coverage data, e.g. when killed instead of stopped with SIGTERM).

See context/coverage-measured.md and notebooks/coverage-measured.ipynb.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import harness

SOURCE = ("harness.consumers", "harness.middleware", "harness.rooms", "harness.ratelimit")
HARNESS = Path(harness.__file__).resolve().parent
REALTIME = ("consumers/base.py", "consumers/echo.py", "consumers/match.py", "middleware.py")

NEVER_CONNECTS = '''
import pytest
from channels.testing import WebsocketCommunicator
from harness.seed import token_for

pytestmark = pytest.mark.asyncio


async def open_(path):
    from harness.stacks import production_stack

    conn = WebsocketCommunicator(production_stack(), path)  # no Origin
    connected, _ = await conn.connect(timeout=5)
    return conn, connected


async def test_echo(memory_layer):
    conn, connected = await open_("/ws/echo/")
    if connected:
        await conn.send_to(text_data="hello")
        assert await conn.receive_from(timeout=5) == "hello"
    await conn.disconnect()


async def test_anonymous_is_rejected(memory_layer):
    conn, connected = await open_("/ws/match/guard/")
    assert not connected
    await conn.disconnect()


async def test_player_joins(memory_layer):
    conn, connected = await open_(f"/ws/match/guard/?token={token_for('alice')}")
    if connected:
        await conn.send_json_to({"type": "join", "role": "player"})
        assert (await conn.receive_json_from(timeout=5))["type"] == "joined"
    await conn.disconnect()
'''

CONNECTS = '''
import pytest
from harness.client import communicator

pytestmark = pytest.mark.asyncio


async def open_(path, user=None):
    conn = communicator(path, user=user)  # Origin: http://localhost
    assert await conn.connect(timeout=5) == (True, None)
    return conn


async def test_echo(memory_layer):
    conn = await open_("/ws/echo/")
    await conn.send_to(text_data="hello")
    assert await conn.receive_from(timeout=5) == "hello"
    await conn.disconnect()


async def test_anonymous_is_rejected(memory_layer):
    conn = await open_("/ws/match/guard/")
    assert await conn.receive_output(timeout=5) == {"type": "websocket.close", "code": 4001}
    await conn.disconnect()


async def test_player_joins(memory_layer):
    conn = await open_("/ws/match/guard/", user="alice")
    await conn.send_json_to({"type": "join", "role": "player"})
    assert (await conn.receive_json_from(timeout=5))["type"] == "joined"
    await conn.disconnect()
'''

LIVE_SERVER = '''
import pytest
from harness import client


@pytest.mark.asyncio
async def test_leave_over_daphne(daphne):
    server = daphne()
    ws = await client.connect(server.url, "/ws/match/guard/", user="alice", origin=server.origin)
    await client.send_json(ws, {"type": "leave"})
    assert await client.close_code(ws) == 4000
'''


def measure(folder: Path, suite: str, *, servers: bool = False) -> dict:
    """Run ``suite`` under ``coverage run --branch``; pytest's outcome, warnings, per-module data."""
    folder.mkdir()
    (folder / "test_suite.py").write_text(textwrap.dedent(suite))
    rc = folder / "coveragerc"
    patch = "patch = subprocess\n" if servers else ""  # Daphne measures itself, via coverage's .pth
    rc.write_text(f"[run]\nbranch = true\nparallel = true\n{patch}"
                  f"data_file = {folder / '.coverage'}\nsource = {', '.join(SOURCE)}\n")
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    coverage = [sys.executable, "-m", "coverage"]
    run = subprocess.run(
        [*coverage, "run", f"--rcfile={rc}", "-m", "pytest", "test_suite.py", "-q", "--color=no",
         "-p", "no:cacheprovider", "-p", "no:django", "-p", "harness.fixtures",
         "-o", "asyncio_default_fixture_loop_scope=function"],
        cwd=folder, env=env, capture_output=True, text=True, timeout=300,
    )
    subprocess.run([*coverage, "combine", f"--rcfile={rc}"], cwd=folder, capture_output=True, timeout=120)
    report = subprocess.run([*coverage, "json", f"--rcfile={rc}", "-o", "coverage.json"],
                            cwd=folder, capture_output=True, text=True, timeout=120)
    modules = {}
    if report.returncode == 0:
        for path, data in json.loads((folder / "coverage.json").read_text())["files"].items():
            functions = [f for name, f in data["functions"].items() if name]
            modules[Path(path).resolve().relative_to(HARNESS).as_posix()] = {
                "lines_run": data["summary"]["covered_lines"],
                "branches_run": data["summary"]["covered_branches"],
                "functions_run": sum(1 for f in functions if f["executed_lines"]),
            }
    return {"returncode": run.returncode, "output": run.stdout + run.stderr, "modules": modules}


def test_when_a_suite_never_connects_then_it_passes_as_often_and_runs_no_consumer(tmp_path):
    never = measure(tmp_path / "never", NEVER_CONNECTS)
    fixed = measure(tmp_path / "fixed", CONNECTS)

    assert never["returncode"] == fixed["returncode"] == 0, never["output"] + fixed["output"]
    assert "3 passed" in never["output"] and "3 passed" in fixed["output"]
    for module in REALTIME:
        before, after = never["modules"][module], fixed["modules"][module]
        assert before["functions_run"] == before["branches_run"] == 0, (module, before)
        assert after["functions_run"] > 0, (module, after)
        assert after["lines_run"] > before["lines_run"] > 0, (module, before, after)  # > 0: imports


@pytest.mark.realserver
def test_when_the_server_runs_the_consumers_then_only_measuring_it_shows_them(tmp_path):
    pytest_only = measure(tmp_path / "pytest-only", LIVE_SERVER)
    with_server = measure(tmp_path / "with-server", LIVE_SERVER, servers=True)

    assert pytest_only["returncode"] == with_server["returncode"] == 0, pytest_only["output"]
    assert "CoverageWarning: No data was collected. (no-data-collected)" in pytest_only["output"]
    assert pytest_only["modules"] == {}
    served = with_server["modules"]
    for module in ("consumers/match.py", "middleware.py"):
        assert served.get(module, {}).get("functions_run", 0) > 0, f"no server data for {module}: {served}"
