"""Guard for warnings-as-errors: the harness's websockets client and the write-up's migrated
client raise no DeprecationWarning, so a suite with ``filterwarnings = error`` passes on
websockets 14 and later (see context/warnings-as-errors.md).

websockets 14.0 deprecated its legacy API: ``websockets.legacy`` warns when it is imported, and
the legacy names (``websockets.client.connect``, ``websockets.exceptions.InvalidStatusCode``,
...) warn on every access. Under ``filterwarnings = error`` each of those fails the test that
touches it. These tests fail if the harness (or the snippet users copy) goes back to one.
"""

import subprocess
import sys
from importlib.metadata import version

import pytest

from harness.servers import REPO, child_env

WEBSOCKETS = tuple(int(part) for part in version("websockets").split(".")[:2])


@pytest.fixture(scope="module")
def server(harness_db):
    """One real Daphne for this module's two round trips (they only need a server that answers)."""
    from harness.servers import daphne_server

    with daphne_server() as running:
        yield running


def test_harness_client_imports_without_a_deprecation_warning():
    # A fresh interpreter: an import-time warning is raised once per process, so only a new
    # process shows it (this one has imported websockets already).
    proc = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", "import harness.client, harness.compat"],
        cwd=REPO, capture_output=True, text=True, timeout=60, env=child_env(),
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.filterwarnings("error")
@pytest.mark.asyncio
async def test_harness_client_round_trip_and_refusal_with_warnings_as_errors(server):
    from harness.client import connect
    from harness.compat import HandshakeRefused, refused_status, ws_connect

    ws = await connect(server.url, "/ws/echo/")
    async with ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"
    with pytest.raises(HandshakeRefused) as refused:  # no Origin: the echo route refuses it
        await ws_connect(f"{server.url}/ws/echo/", open_timeout=5)
    assert refused_status(refused.value) == 403


@pytest.mark.filterwarnings("error")
@pytest.mark.asyncio
async def test_migrated_client_snippet_with_warnings_as_errors(server):
    from kb.snippets import load

    if WEBSOCKETS < (13, 0):  # the snippet needs websockets.asyncio (13.0); 12 has only the legacy client
        with pytest.raises(ModuleNotFoundError, match="websockets.asyncio"):
            load("warnings-as-errors", "migrated-client")
        return
    migrated = load("warnings-as-errors", "migrated-client")
    assert await migrated.echo_once(f"{server.url}/ws/echo/", "hello", origin=server.origin) == "hello"
    assert await migrated.refused_status(f"{server.url}/ws/echo/") == 403
