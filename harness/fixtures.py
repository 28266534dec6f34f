"""pytest fixtures for real servers. Load with ``pytest_plugins = ["harness.fixtures"]``.

- ``harness_db``: Django set up with the test settings, a migrated SQLite file, seed users.
- ``redis_url``: a real Redis for the session (``$REDIS_URL``, else a fresh ``redis-server``).
- ``redis_layer``: this process's channel layer switched to that Redis for one test.
- ``postgres_url``: a real PostgreSQL for the session (``$DATABASE_URL``, else a fresh
  ``postgres`` on a Unix socket); the URL of its ``postgres`` maintenance database.
- ``postgres_db``: this process's Django database switched, for one test, to a migrated and
  seeded database of its own on that server (exported to the servers the test starts).
- ``daphne``: a factory; ``daphne()`` starts a Daphne subprocess and returns a
  ``DaphneServer`` (``.url``, ``.origin``); every server is stopped when the test ends.
- ``live_server``: one Daphne on the Redis layer, ready to connect to.
- ``live_servers``: two Daphne processes sharing one Redis layer, for a whole test module
  (started in parallel by ``daphne_servers``, usable from any test loop scope).
- ``other_loop``: an ``OtherLoop``, a second event loop in a worker thread, closed at the end.

``OverlappingLayer`` wraps a channel layer so that concurrent calls of one method overlap
deterministically (install it with ``channel_layers.set``).
"""

import contextlib
from concurrent.futures import ThreadPoolExecutor

import pytest


@pytest.fixture(scope="session")
def harness_db():
    from harness.bootstrap import bootstrap

    return bootstrap("harness.settings.test")


@pytest.fixture(scope="session")
def redis_url():
    from harness.servers import redis_server

    with redis_server() as url:
        yield url


@pytest.fixture
def redis_layer(harness_db, redis_url):
    from harness.layers import channel_layer

    with channel_layer("redis", redis_url) as config:
        yield config


@pytest.fixture(scope="session")
def postgres_url():
    from harness.servers import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def _postgres_database(postgres_url):
    from harness.databases import fresh_database

    with fresh_database(postgres_url) as url:
        yield url


@pytest.fixture
def postgres_db(harness_db, _postgres_database):
    from harness.databases import database

    with database("postgres", _postgres_database) as config:
        yield config


@pytest.fixture
def memory_layer(harness_db):
    from harness.layers import channel_layer

    with channel_layer("memory") as config:
        yield config


@pytest.fixture
def daphne(harness_db):
    from harness.servers import daphne_server

    with contextlib.ExitStack() as stack:

        def start(**kwargs):
            return stack.enter_context(daphne_server(**kwargs))

        yield start


@pytest.fixture
def live_server(daphne, redis_url):
    return daphne(channel_layer="redis", redis_url=redis_url)


@contextlib.contextmanager
def daphne_servers(count: int = 2, **kwargs):
    """Start ``count`` Daphne processes at once (``daphne_server(**kwargs)`` each); yield a list.

    The processes start in parallel, so two cost about as much wall time as one. Pass
    ``channel_layer="redis"`` and one ``redis_url`` to make them one deployment: a group message
    sent on one server reaches consumers on the others. All of them are stopped on exit, also
    when one failed to start. (The starter threads may end at once: ``harness.servers`` forks
    every child from its own long-lived thread, which the parent-death signal follows.)
    """
    from harness.servers import daphne_server

    managers = [daphne_server(**kwargs) for _ in range(count)]
    with contextlib.ExitStack() as stack:
        with ThreadPoolExecutor(count, thread_name_prefix="daphne-starter") as pool:
            started = [pool.submit(manager.__enter__) for manager in managers]
        servers, errors = [], []
        for manager, future in zip(managers, started, strict=True):
            try:
                servers.append(future.result())
                stack.push(manager)  # its __exit__ stops the process
            except BaseException as exc:  # noqa: BLE001 - re-raised below, after the others
                errors.append(exc)
        if errors:
            raise errors[0]
        stack.callback(_terminate, servers)  # runs first: all of them shut down at once
        yield servers


def _terminate(servers) -> None:
    """SIGTERM every server's process group without waiting (``stop`` then waits for each)."""
    import os
    import signal

    for server in servers:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)


@pytest.fixture(scope="module")
def live_servers(harness_db, redis_url):
    """Two Daphne processes on one Redis channel layer, shared by the tests of a module.

    A plain (sync) fixture: it holds processes, not connections, so it belongs to no event
    loop and tests of any ``loop_scope`` can open their own clients to it.
    """
    with daphne_servers(2, channel_layer="redis", redis_url=redis_url) as servers:
        yield servers


class OtherLoop:
    """A second event loop, in a worker thread of its own (the calling thread may run one).

    ``run(coro)`` runs ``coro`` to completion there and returns its result; between two calls
    the loop stands still, like the loop of a module-scoped async fixture while a test runs in
    its own loop. ``close()`` ends it the way pytest-asyncio ends a loop scope: cancel what is
    still pending, then close the loop. Not thread-safe; one caller at a time.
    """

    def __init__(self, timeout: float = 30.0):
        import asyncio

        self.timeout = timeout
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="other-loop")
        self.loop = self._thread.submit(asyncio.new_event_loop).result(timeout)

    def run(self, coro):
        return self._thread.submit(self.loop.run_until_complete, coro).result(self.timeout)

    def close(self) -> None:
        if not self.loop.is_closed():
            self._thread.submit(self._close).result(self.timeout)
        self._thread.shutdown()

    def _close(self) -> None:
        # bounded: a task that does not end when cancelled (seen on the oldest set, channels-redis
        # 4.0 with redis-py 4.6) must not keep this thread, and so the interpreter's exit, waiting
        self.loop.run_until_complete(_cancel_pending(self.timeout / 2))
        self.loop.close()  # channels-redis closes this loop's Redis connections here


async def _cancel_pending(timeout: float) -> None:
    import asyncio

    tasks = asyncio.all_tasks() - {asyncio.current_task()}
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=timeout)


@pytest.fixture
def other_loop():
    """An ``OtherLoop`` for one test, closed after it."""
    loop = OtherLoop()
    yield loop
    loop.close()


class OverlappingLayer:
    """A channel-layer proxy: each call of ``method`` waits until ``parties`` calls are inside it.

    Test scaffolding for races between handlers. Two consumers that both await, say,
    ``group_discard`` interleave only if their awaits overlap; on a real server that depends on
    timing, here it is certain. Every other attribute is the wrapped layer's. Install it with
    ``channels.layers.channel_layers.set(alias, OverlappingLayer(layer))`` *before* the consumers
    start (each consumer fetches its layer once), and put the old layer back afterwards.
    """

    def __init__(self, layer, method: str = "group_discard", parties: int = 2, timeout: float = 10.0):
        from .compat import Barrier

        self.layer = layer
        self.method = method
        self.timeout = timeout
        self.barrier = Barrier(parties)  # harness.compat: asyncio's is 3.11+

    def __getattr__(self, name):
        attribute = getattr(self.layer, name)
        if name != self.method:
            return attribute

        async def held(*args, **kwargs):
            import asyncio

            await asyncio.wait_for(self.barrier.wait(), self.timeout)
            return await attribute(*args, **kwargs)

        return held
