"""``database_sync_to_async`` on asgiref's worker thread in a ``transaction=True`` test, with
the ``CONN_MAX_AGE`` this session is given (``PROBE_CONN_MAX_AGE``: "0", Django's default, a
number of seconds, or "None"). The test passes and prints whether the worker thread's
connection is still open after the call: Channels' ``close_old_connections()`` closes only a
connection that is obsolete, which at ``CONN_MAX_AGE = 0`` it is at once; with a positive age
or ``None`` it stays open, and on PostgreSQL the test database then cannot be dropped."""

import os

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection

AGE = os.environ.get("PROBE_CONN_MAX_AGE", "0")
# Set when this module is imported, before pytest-django creates the test database (the
# conftest sets the database the same way).
settings.DATABASES["default"]["CONN_MAX_AGE"] = None if AGE == "None" else int(AGE)


@database_sync_to_async
def make_and_count(username: str) -> int:
    get_user_model().objects.create(username=username)
    return get_user_model().objects.count()


@pytest.mark.asyncio
async def test_database_sync_to_async_and_the_worker_threads_connection(transactional_db):
    assert await make_and_count("ida") == 1
    # the same worker thread (thread-sensitive, no async_to_sync above): is its connection open?
    still_open = await sync_to_async(lambda: connection.connection is not None)()
    print(f"\nCONN_MAX_AGE {connection.settings_dict['CONN_MAX_AGE']!r}: worker connection "
          f"{'open' if still_open else 'closed'}")
