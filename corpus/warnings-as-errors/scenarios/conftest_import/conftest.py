"""A project's conftest that hands tests the legacy client (run by ``script_conftest_import.py``):
on websockets >= 14 under ``filterwarnings = error`` pytest cannot load it and runs nothing."""

import pytest
from websockets.legacy.client import connect


@pytest.fixture
def legacy_connect():
    return connect
