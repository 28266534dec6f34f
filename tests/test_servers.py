"""The real-server fixtures start real processes, serve, and leave nothing behind."""

import asyncio
import os

import pytest

from harness import client
from harness.servers import ServerError, daphne_server, redis_server

pytestmark = pytest.mark.realserver


def test_when_redis_is_started_then_it_answers_and_is_gone_after(monkeypatch):
    import redis

    monkeypatch.delenv("REDIS_URL", raising=False)  # an external Redis would start nothing

    with redis_server() as url:
        conn = redis.Redis.from_url(url)
        assert conn.ping() is True
        conn.close()
        socket_path = url.removeprefix("unix://")
        assert os.path.exists(socket_path)
    assert not os.path.exists(socket_path)


@pytest.mark.asyncio
async def test_when_daphne_is_started_then_it_echoes_and_its_process_is_gone_after(harness_db):
    with daphne_server() as server:
        assert server.alive()
        ws = await client.connect(server.url, "/ws/echo/", origin=server.origin)
        await ws.send("ping")
        assert await asyncio.wait_for(ws.recv(), 5) == "ping"
        await ws.close()
        pid = server.pid
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.asyncio
async def test_when_args_are_given_then_daphne_runs_with_them(harness_db, tmp_path):
    access_log = tmp_path / "access.log"
    with daphne_server(args=["--access-log", str(access_log)]) as server:
        ws = await client.connect(server.url, "/ws/echo/", origin=server.origin)
        await ws.close()
        await client.eventually(lambda: access_log.exists() and "WSCONNECT /ws/echo/" in access_log.read_text(),
                                timeout=5)
    assert "--access-log" in server.proc.args


def test_when_the_app_cannot_be_imported_then_the_error_carries_daphne_output(harness_db):
    with pytest.raises(ServerError, match="No module named 'harness.nope'"):
        with daphne_server(app="harness.nope:application", timeout=20):
            pass


def test_when_an_exception_is_raised_inside_then_the_server_is_stopped(harness_db):
    with pytest.raises(RuntimeError, match="boom"):
        with daphne_server() as server:
            pid = server.pid
            raise RuntimeError("boom")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_when_the_starting_thread_ends_then_the_server_keeps_running(harness_db):
    """PR_SET_PDEATHSIG follows the forking thread; the harness forks from a long-lived one."""
    import contextlib
    import threading

    import psutil

    started = {}
    with contextlib.ExitStack() as stack:
        thread = threading.Thread(target=lambda: started.update(s=stack.enter_context(daphne_server())))
        thread.start()
        thread.join(timeout=30)
        server = started["s"]
        # The parent-death signal would arrive as SIGTERM right after the thread ended; a
        # bounded wait for the process to exit must time out.
        with pytest.raises(psutil.TimeoutExpired):
            psutil.Process(server.pid).wait(timeout=1.0)
        assert server.alive()
    assert not server.alive()


def test_when_tmpdir_is_too_long_for_a_unix_socket_then_a_clear_error_at_once(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(deep))
    with pytest.raises(ServerError, match=r"longer than 107 bytes; set TMPDIR to a shorter folder"):
        with redis_server():
            pass
    assert list(deep.iterdir()) == []  # the temp folder it made is removed
