"""SQLite, a file test database: Channels closes the connection of a Django ``TestCase`` under the test.

A ``TestCase`` runs an ``async def`` test through ``async_to_sync``, so ``database_sync_to_async``
runs on the test's own thread, with the test's connection, inside the test's transaction.
Channels' ``close_old_connections()`` (around every ``database_sync_to_async`` call; since
channels 4.2 also when a consumer handles a message or disconnects) then closes that connection:
Django closes a connection whose autocommit differs from its setting, as inside a transaction.
channels 4.2 made its test communicators skip the close while they send or receive (#2101), not
while ``disconnect()`` waits for the consumer, nor in calls the test makes itself.
"""

from harness.databases import configure

configure("sqlite")

from pathlib import Path  # noqa: E402

from django.conf import settings  # noqa: E402

settings.DATABASES["default"]["TEST"] = {"NAME": str(Path(__file__).with_name("test_file.sqlite3"))}

from channels.db import database_sync_to_async  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.test import TestCase  # noqa: E402

from harness.client import communicator  # noqa: E402
from harness.consumers.profile import profile_router  # noqa: E402

User = get_user_model()


class ProfileTests(TestCase):
    def setUp(self):
        self.dora = User.objects.create(username="dora")

    async def test_a_query_after_the_consumer_disconnected(self):
        comm = communicator(f"/ws/profile/{self.dora.pk}/", application=profile_router())
        connected, _ = await comm.connect(timeout=5)
        self.assertTrue(connected)
        await comm.disconnect()
        self.assertEqual(await User.objects.acount(), 1)

    async def test_database_sync_to_async_in_the_test(self):
        self.assertEqual(await database_sync_to_async(User.objects.count)(), 1)
        self.assertEqual(await User.objects.acount(), 1)
