"""pytest fixtures for real servers. Load with ``pytest_plugins = ["harness.fixtures"]``.

- ``harness_db``: Django set up with the test settings, a migrated SQLite file, seed users.
- ``redis_url``: a real Redis for the session (``$REDIS_URL``, else a fresh ``redis-server``).
- ``redis_layer``: this process's channel layer switched to that Redis for one test.
- ``daphne``: a factory; ``daphne()`` starts a Daphne subprocess and returns a
  ``DaphneServer`` (``.url``, ``.origin``); every server is stopped when the test ends.
- ``live_server``: one Daphne on the Redis layer, ready to connect to.
"""

import contextlib

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
    from harness.layers import use_channel_layer

    yield use_channel_layer("redis", redis_url)
    use_channel_layer("memory")


@pytest.fixture
def memory_layer(harness_db):
    from harness.layers import use_channel_layer

    yield use_channel_layer("memory")


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
