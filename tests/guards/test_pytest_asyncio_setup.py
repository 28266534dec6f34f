"""Guard for pytest-asyncio-setup: this project's configuration is the one its versions need.

The pins (requirements.txt) are pytest-asyncio 1.5 and pytest 9: strict mode with both default
loop scopes set to function (the 1.1+ row of the write-up's table). The second test runs the
table's row for the pytest-asyncio that is installed (0.21: an ``event_loop`` override; 0.23:
``scope=`` on fixture and marker; 0.24+: ``loop_scope=``) with async fixtures through
``pytest_asyncio.fixture`` and a session-wide communicator shared by two tests; an unmarked
``async def`` test fails (pytest >= 8.4) or is skipped with a warning (older pytest).
"""

import re
import textwrap
from importlib import metadata

from packaging.version import Version

from harness import notebook as nb
from harness.servers import REPO

try:
    import tomllib
except ImportError:  # Python 3.10: pytest requires tomli there
    import tomli as tomllib

PYTEST_ASYNCIO = Version(metadata.version("pytest-asyncio"))
PYTEST = Version(metadata.version("pytest"))

MODULE = '''
import pytest
import pytest_asyncio

from harness.client import communicator


async def connected():
    comm = communicator("/ws/echo/")
    assert (await comm.connect())[0]
    return comm


{shared_fixture}
async def shared(harness_db):
    comm = await connected()
    yield comm
    await comm.disconnect()


@pytest_asyncio.fixture
async def own(harness_db):
    comm = await connected()
    yield comm
    await comm.disconnect()


{shared_marker}
@pytest.mark.parametrize("n", [1, 2])
async def test_shared(shared, n):
    await shared.send_json_to({{"n": n}})
    assert await shared.receive_json_from() == {{"n": n}}


@pytest.mark.asyncio
async def test_own(own):
    await own.send_json_to({{"n": 3}})
    assert await own.receive_json_from() == {{"n": 3}}


async def test_unmarked_async_test_does_not_pass_silently():
    pass
'''


SESSION_LOOP_021 = """
import asyncio

import pytest


@pytest.fixture(scope="session")
def event_loop():  # pytest-asyncio 0.21: one loop for the whole session
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()
"""

#: The write-up's table: (first version of the row, ini, shared fixture, its tests' marker, conftest).
ROWS = [
    (Version("0.21"), "[pytest]\nasyncio_mode = strict\n", '@pytest_asyncio.fixture(scope="session")',
     "@pytest.mark.asyncio", SESSION_LOOP_021),
    (Version("0.23"), "[pytest]\nasyncio_mode = strict\n", '@pytest_asyncio.fixture(scope="session")',
     '@pytest.mark.asyncio(scope="session")', ""),
    (Version("0.24"), textwrap.dedent("""
        [pytest]
        asyncio_mode = strict
        asyncio_default_fixture_loop_scope = function
        asyncio_default_test_loop_scope = function
     """), '@pytest_asyncio.fixture(scope="session", loop_scope="session")',
     '@pytest.mark.asyncio(loop_scope="session")', ""),
]


def row_for(version: Version) -> tuple:
    return [row for row in ROWS if version >= row[0]][-1]


def test_when_the_project_config_is_read_then_it_is_the_row_for_its_pins():
    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    pinned = re.search(r"^pytest-asyncio==(\S+)$", (REPO / "requirements.txt").read_text(), re.M)
    assert pinned and Version(pinned.group(1)) >= Version("1.1")
    assert options["asyncio_mode"] == "strict"
    assert options["asyncio_default_fixture_loop_scope"] == "function"
    assert options["asyncio_default_test_loop_scope"] == "function"


def test_when_the_row_for_the_installed_version_runs_then_fixtures_pass_and_an_unmarked_test_does_not(tmp_path):
    _, ini, shared_fixture, shared_marker, conftest = row_for(PYTEST_ASYNCIO)
    (tmp_path / "pytest.ini").write_text(ini)
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["harness.fixtures"]\n' + conftest)
    (tmp_path / "test_row.py").write_text(MODULE.format(shared_fixture=shared_fixture, shared_marker=shared_marker))
    result = nb.run_pytest("-rA", "-p", "no:kb_known_issues", cwd=tmp_path, timeout=180)
    outcomes = {kind: n for kind, n in result.outcomes.items() if not kind.startswith("warning")}
    assert "async def functions are not natively supported" in result.output
    if PYTEST >= Version("8.4"):
        assert outcomes == {"passed": 3, "failed": 1}, result.output
        assert "FAILED test_row.py::test_unmarked_async_test_does_not_pass_silently" in result.output
    else:  # pytest < 8.4 skips an unhandled coroutine: green, with a warning
        assert outcomes == {"passed": 3, "skipped": 1}, result.output
        assert "PytestUnhandledCoroutineWarning" in result.output
