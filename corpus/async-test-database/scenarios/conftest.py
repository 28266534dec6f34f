"""Shared by the scenarios: a user made by the test, the way a fixture or factory makes one."""

import pytest


@pytest.fixture
def dora(db):
    """pytest-django's ``db``: this test runs inside a transaction, rolled back at its end."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create(username="dora")
