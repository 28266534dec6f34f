"""The real PostgreSQL: ``postgres_server()`` starts, serves, stops and leaves nothing behind,
however the process holding it ends; the database choice reaches Django and is restored.

Counting survivors follows ``test_orphans.py``, with one difference: only the postmaster keeps
the temp folder in its command line. Its children (checkpointer, backends, ...) rewrite their
process titles over both argv and environment, so they carry no mark; they are collected as
the postmaster's process tree while it runs, and each of them must be gone afterwards.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from django.core.exceptions import ImproperlyConfigured
from test_orphans import Lines, kill_marked, mark, marked_env, needs_pdeathsig, survivors

from harness.servers import ServerError, postgres_server

pytestmark = pytest.mark.realserver
__all__ = ["mark"]  # a fixture, imported for the orphan tests below


@pytest.fixture
def no_database_url(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)  # a given server would start nothing


def postmaster(url: str) -> psutil.Process:
    """The server process of a harness-started PostgreSQL (its pid is postmaster.pid's line 1)."""
    folder = Path(url.split("host=", 1)[1])
    return psutil.Process(int((folder / "data" / "postmaster.pid").read_text().split()[0]))


def test_when_postgres_is_started_then_it_answers_and_everything_is_gone_after(no_database_url):
    import psycopg

    with postgres_server() as url:
        with psycopg.connect(url) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
            addresses = conn.execute("SHOW listen_addresses").fetchone()[0]
        server = postmaster(url)
        tree = [server, *server.children(recursive=True)]
        folder = Path(url.split("host=", 1)[1])
        assert server.ppid() == os.getpid()  # our child, not daemonised by pg_ctl
        assert server.uids().effective == os.geteuid()  # as root: root outside the namespace
        assert len(tree) >= 4  # postmaster, checkpointer, background writer, WAL writer...
    assert version.startswith("18.")
    assert addresses == ""  # no TCP: the Unix socket in its folder only
    assert not folder.exists()
    _, alive = psutil.wait_procs(tree, timeout=10)
    assert alive == []


def test_when_an_exception_is_raised_inside_then_postgres_is_stopped(no_database_url):
    with pytest.raises(RuntimeError, match="boom"):
        with postgres_server() as url:
            server = postmaster(url)
            raise RuntimeError("boom")
    _, alive = psutil.wait_procs([server], timeout=10)
    assert alive == []


def test_when_database_url_is_given_then_it_is_used_and_nothing_is_started(
    no_database_url, monkeypatch
):
    with postgres_server() as url:
        before = {p.pid for p in psutil.Process().children()}  # postgres forks backends below
        monkeypatch.setenv("DATABASE_URL", url)
        with postgres_server() as given:
            after = {p.pid for p in psutil.Process().children()}
        assert given == url
        assert after == before


def test_when_database_url_cannot_be_reached_then_a_one_line_error(tmp_path, monkeypatch):
    url = f"postgresql://postgres@/postgres?host={tmp_path}"
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ServerError, match=rf"^cannot connect to DATABASE_URL {re.escape(url)}: [^\n]+$"):
        with postgres_server(timeout=2):
            pass


def test_when_tmpdir_is_too_long_for_a_unix_socket_then_a_clear_error_at_once(
    no_database_url, monkeypatch, tmp_path
):
    deep = tmp_path / ("d" * 120)
    deep.mkdir()
    monkeypatch.setenv("TMPDIR", str(deep))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # re-read TMPDIR
    with pytest.raises(ServerError, match="longer than 107 bytes"):
        with postgres_server():
            pass
    assert list(deep.iterdir()) == []


# Settings and the run-time switch ---------------------------------------------------------


def test_database_settings_come_from_the_url():
    from harness.settings.base import databases

    config = databases("postgres", "postgresql://u:p%40ss@db.example:6543/app")["default"]
    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "app",
        "USER": "u",
        "PASSWORD": "p@ss",
        "HOST": "db.example",
        "PORT": "6543",
    }
    socket = databases("postgres", "postgresql://postgres@/harness_1?host=/tmp/pg")["default"]
    assert (socket["HOST"], socket["PORT"], socket["NAME"]) == ("/tmp/pg", "", "harness_1")


@pytest.mark.parametrize(
    "kind, url, message",
    [
        ("postgres", None, "HARNESS_DATABASE=postgres needs DATABASE_URL"),
        ("mysql", None, "HARNESS_DATABASE must be 'sqlite' or 'postgres', not 'mysql'"),
        ("postgres", "mysql://h/db", "DATABASE_URL must be a postgresql:// URL"),
    ],
)
def test_bad_database_choices_are_clear_errors(monkeypatch, kind, url, message):
    from harness.settings.base import databases

    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ImproperlyConfigured, match=message):
        databases(kind, url)


def test_postgres_db_points_django_and_subprocesses_at_postgres(postgres_db):
    from django.contrib.auth import get_user_model
    from django.db import connection

    assert connection.vendor == "postgresql"
    assert connection.settings_dict["NAME"].startswith("harness_")
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == [
        "admin",
        "alice",
        "bob",
        "carol",
    ]
    assert os.environ["HARNESS_DATABASE"] == "postgres"
    assert os.environ["DATABASE_URL"].endswith(
        connection.settings_dict["NAME"] + "?host=" + connection.settings_dict["HOST"]
    )


def test_after_postgres_db_the_default_database_is_sqlite_again(harness_db):
    from django.db import connection

    assert connection.vendor == "sqlite"
    assert os.environ.get("HARNESS_DATABASE", "sqlite") == "sqlite"


@pytest.mark.asyncio
async def test_a_daphne_started_in_postgres_db_reads_the_same_database(postgres_db, daphne):
    """A user that exists only in this PostgreSQL database authenticates on the real server."""
    from asgiref.sync import sync_to_async
    from django.contrib.auth import get_user_model

    from harness import client
    from harness.protocol import CloseCode
    from harness.tokens import issue_token

    user = await sync_to_async(get_user_model().objects.create)(username="pg-only")
    try:
        server = daphne()
        ws = await client.connect(
            server.url, "/ws/match/pgroom/", origin=server.origin, token=issue_token(user.pk)
        )
        await client.send_json(ws, {"type": "join", "role": "observer"})
        joined = await client.recv_until(ws, lambda m: m.get("type") == "joined", timeout=10)
        await ws.close()
        other = await client.connect(
            server.url, "/ws/match/pgroom/", origin=server.origin, token=issue_token(user.pk + 1)
        )
        code = await client.close_code(other, timeout=10)
    finally:
        await sync_to_async(user.delete)()
    assert joined["role"] == "observer"
    assert code == CloseCode.UNAUTHENTICATED  # a user id that is in no database


# No orphans --------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import threading, signal
    # Ctrl-C raises KeyboardInterrupt, as in a terminal's job, even where this test runner was
    # started with SIGINT ignored (a shell's background job: `make test &`), which children inherit
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from harness.servers import postgres_server

    print("STARTING", flush=True)
    with postgres_server() as url:
        print("READY", url, flush=True)
        threading.Event().wait(120)  # held until the test interrupts or kills this process
    """
)


@pytest.fixture
def child(tmp_path, mark):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {k: v for k, v in marked_env(mark).items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield proc, Lines(proc.stdout), mark
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        kill_marked(mark)


@pytest.mark.parametrize(
    "how, removes_folder",
    [
        pytest.param(lambda p: os.killpg(p.pid, signal.SIGINT), True, id="ctrl-c-to-the-group"),
        pytest.param(
            lambda p: p.send_signal(signal.SIGTERM),
            False,
            id="sigterm-parent",
            marks=needs_pdeathsig,
        ),
        pytest.param(
            lambda p: p.send_signal(signal.SIGKILL),
            False,
            id="sigkill-parent",
            marks=needs_pdeathsig,
        ),
    ],
)
def test_when_the_process_holding_postgres_is_ended_then_no_postgres_process_survives(
    child, how, removes_folder
):
    """Ctrl-C unwinds the ``with`` block (stop, remove the folder); SIGTERM and SIGKILL end the
    parent without running Python code: PDEATHSIG stops the server, and the folder stays in
    the temp folder (as Redis's does)."""
    proc, lines, mark = child
    url = lines.wait_for("READY").split()[1]
    server = postmaster(url)
    tree = [server, *server.children(recursive=True)]
    assert server.ppid() == proc.pid
    assert {p.pid for p in psutil.Process(proc.pid).children()} == {server.pid}

    how(proc)

    proc.wait(timeout=60)
    _, alive = psutil.wait_procs(tree, timeout=30)
    assert alive == []
    assert survivors(mark) == []
    assert Path(url.split("host=", 1)[1]).exists() is not removes_folder


def test_when_interrupted_while_initdb_runs_then_nothing_survives(child):
    """Ctrl-C lands while ``initdb`` (the slow part of the start) is running."""
    proc, lines, mark = child
    lines.wait_for("STARTING")
    deadline = time.monotonic() + 60
    while not any("initdb" in " ".join(k.cmdline()) for k in _kids(proc)):
        assert time.monotonic() < deadline, f"no initdb appeared: {lines.seen}"
        assert proc.poll() is None, f"the child exited early: {lines.seen}"
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.005)  # a bounded poll, not a sleep
    os.killpg(proc.pid, signal.SIGINT)

    proc.wait(timeout=60)
    assert survivors(mark) == []
    assert list(Path(mark).glob("harness-pg-*")) == [], "the data folder was left behind"


def _kids(proc) -> list[psutil.Process]:
    try:
        return [k for k in psutil.Process(proc.pid).children(recursive=True) if k.is_running()]
    except psutil.NoSuchProcess:
        return []
