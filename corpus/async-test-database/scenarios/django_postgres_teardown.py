"""PostgreSQL, Django's test runner: the test database cannot be dropped at the end of the run.

The async ORM (``acreate``, ``aexists``) runs on asgiref's worker thread and opens a connection
there that nothing closes (``database_sync_to_async`` would close it; ``sync_to_async`` and the
async ORM do not). The thread outlives the test, so does its connection, and
``DROP DATABASE`` at the end of the run fails.
"""

from harness.databases import configure

configure("postgres")

from django.contrib.auth import get_user_model  # noqa: E402
from django.test import TransactionTestCase  # noqa: E402


class AsyncOrmTests(TransactionTestCase):
    async def test_the_async_orm_creates_and_finds_a_user(self):
        await get_user_model().objects.acreate(username="gus")
        self.assertTrue(await get_user_model().objects.filter(username="gus").aexists())
