pytest_plugins = ["harness.fixtures"]

# Suites that the async-test-database guard runs in their own pytest sessions (their own
# pytest.ini and conftest.py, pytest-django on): not part of this session.
collect_ignore = ["guards/async_test_database"]
