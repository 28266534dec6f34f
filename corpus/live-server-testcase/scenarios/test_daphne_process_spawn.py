"""A live server of one's own for pytest: Daphne's ``DaphneProcess`` started by a fixture (the
recipes for pytest-django do this: it has no ASGI live server) over pytest-django's default
SQLite test database, which is in memory, with the ``spawn`` start method (the default on macOS
and Windows). The server is a fresh interpreter: the test database lives only in the test
process's memory, and the server opens ``NAME`` from the settings module, an empty file. The
handshake fails with HTTP 500; the server's log (captured by pytest) says ``no such table``."""

from live_database import in_memory_test_database, join_as

in_memory_test_database()

import multiprocessing  # noqa: E402

import pytest  # noqa: E402
from channels.routing import get_default_application  # noqa: E402
from daphne.testing import DaphneProcess  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402

multiprocessing.set_start_method("spawn", force=True)


@pytest.fixture
def live_ws_url():
    server = DaphneProcess("127.0.0.1", get_default_application)
    server.start()
    try:
        assert server.ready.wait(20), "Daphne did not start"
        yield f"ws://127.0.0.1:{server.port.value}"
    finally:
        server.terminate()
        server.join(10)


@pytest.mark.django_db(transaction=True)
def test_a_user_joins_a_match(live_ws_url):
    ada = get_user_model().objects.create_user("ada")
    assert join_as(live_ws_url, ada.pk)["type"] == "joined"
