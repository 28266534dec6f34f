"""Fix 2: a Django ``TestCase`` (rolled back, not emptied): its ``async def`` tests run through
``async_to_sync``, so ``database_sync_to_async`` runs on the test's thread, with the test's
connection, inside its transaction, and sees its rows. Channels must then not close that
connection: ``channels.db.close_old_connections`` is replaced for the test, on every channels
version (4.2+ does it only while a communicator sends or receives)."""

from unittest import mock

from channels.db import database_sync_to_async
from django.contrib.auth import get_user_model
from django.test import TestCase

from harness.client import communicator
from harness.consumers.profile import profile_router

User = get_user_model()


@mock.patch("channels.db.close_old_connections", lambda: None)
class ProfileTests(TestCase):
    def setUp(self):
        self.dora = User.objects.create(username="dora")

    async def test_a_query_after_the_consumer_disconnected(self):
        comm = communicator(f"/ws/profile/{self.dora.pk}/", application=profile_router())
        connected, _ = await comm.connect(timeout=5)
        self.assertTrue(connected)
        profile = await comm.receive_json_from(timeout=5)
        await comm.disconnect()
        self.assertEqual(profile["username"], "dora")
        self.assertEqual(await User.objects.acount(), 1)

    async def test_database_sync_to_async_in_the_test(self):
        self.assertEqual(await database_sync_to_async(User.objects.count)(), 1)
        self.assertEqual(await User.objects.acount(), 1)
