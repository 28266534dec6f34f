"""A synchronous test runs an async helper through ``async_to_sync``, and the helper uses the ORM
itself: ``async_to_sync`` runs the coroutine on an event loop (in a thread of its own), so the
query runs where a loop is running and Django refuses it. The frames show the ``async_to_sync``
call, asgiref's ``main_wrap`` and Django's ``query.py`` with no ``SyncToAsync`` between them."""

from asgiref.sync import async_to_sync
from django.contrib.auth import get_user_model


async def usernames() -> list[str]:
    return [user.username for user in get_user_model().objects.all()]


def test_a(harness_db):
    assert async_to_sync(usernames)() == ["alice"]
