"""What ``transaction=True`` costs: the same small test (create a user, count users) with
pytest-django's ``db`` (a rollback) and ``transactional_db`` (tables emptied after each test).
The notebook reads each test's duration from the JUnit report; a first test per kind warms up
(the test database is created in the first test's set-up)."""

import pytest
from django.contrib.auth import get_user_model

RUNS = 20


def make_and_count():
    get_user_model().objects.create(username="cost")
    assert get_user_model().objects.filter(username="cost").count() == 1


@pytest.mark.parametrize("run", range(RUNS + 1))
def test_rolled_back(db, run):
    make_and_count()


@pytest.mark.parametrize("run", range(RUNS + 1))
def test_transactional(transactional_db, run):
    make_and_count()
