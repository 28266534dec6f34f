"""The async ORM in a ``transaction=True`` test, with nothing closing the worker thread's
connection. It passes; on PostgreSQL the test database cannot be dropped afterwards, which
pytest-django reports as a warning. ``fixed_transactional.py`` closes that connection."""

import pytest
from django.contrib.auth import get_user_model


@pytest.mark.asyncio
async def test_the_async_orm_creates_and_finds_a_user(transactional_db):
    await get_user_model().objects.acreate(username="gus")
    assert await get_user_model().objects.filter(username="gus").aexists()
