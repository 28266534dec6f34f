"""What a forked server sees of an in-memory SQLite test database (pytest-django's default):
``DaphneProcess`` started by a fixture, as hand-made pytest live servers do. Passes when the
server sees the tables (forked with the test process's memory) but not a row the test made
after the fork: the user's token is refused as unknown, close code 4001."""

from harness.databases import configure

configure("sqlite")  # no TEST.NAME: pytest-django's test database is in memory

import multiprocessing  # noqa: E402

import pytest  # noqa: E402
import websockets  # noqa: E402
from channels.routing import get_default_application  # noqa: E402
from daphne.testing import DaphneProcess  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from live_process import join_as  # noqa: E402

multiprocessing.set_start_method("fork", force=True)


@pytest.fixture
def live_ws_url(transactional_db):
    server = DaphneProcess("127.0.0.1", get_default_application)
    server.start()
    try:
        assert server.ready.wait(20), "Daphne did not start"
        yield f"ws://127.0.0.1:{server.port.value}"
    finally:
        server.terminate()
        server.join(10)


def test_the_forked_server_sees_the_tables_but_not_the_rows_made_after_the_fork(live_ws_url):
    assert connection.is_in_memory_db()
    ada = get_user_model().objects.create_user("ada")
    with pytest.raises(websockets.exceptions.ConnectionClosedError) as closed:
        join_as(live_ws_url, ada.pk)
    print("SERVER CLOSED", closed.value.rcvd.code)
    assert closed.value.rcvd.code == 4001  # the JWT middleware found no such user: anonymous
