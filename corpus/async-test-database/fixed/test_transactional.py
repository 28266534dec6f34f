"""probe_*_invisible_row.py and the TestCase scenarios fixed: a transactional database for the
async pytest test, and Channels' close replaced on the Django TestCase."""

from unittest import mock

import pytest
from django.test import TestCase

from harness.client import communicator
from harness.consumers.profile import profile_router


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_the_consumer_reads_the_user_the_test_made():
    from django.contrib.auth import get_user_model

    dora = await get_user_model().objects.acreate(username="dora")
    comm = communicator(f"/ws/profile/{dora.pk}/", application=profile_router())
    assert (await comm.connect(timeout=5))[0]
    await comm.disconnect()


@mock.patch("channels.db.close_old_connections", lambda: None)
class ProfileTests(TestCase):
    async def test_a_query_after_the_consumer_disconnected(self):
        comm = communicator("/ws/profile/1/", application=profile_router())
        await comm.connect(timeout=5)
        await comm.disconnect()
