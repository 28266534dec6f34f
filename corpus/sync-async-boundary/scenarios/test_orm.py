"""A synchronous ORM call inside an async test."""

import pytest
from django.contrib.auth import get_user_model


@pytest.mark.asyncio
async def test_a(harness_db):
    assert get_user_model().objects.get(pk=1).username == "alice"
