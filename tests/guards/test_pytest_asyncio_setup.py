"""Guard for pytest-asyncio-setup: this project's configuration is the one its versions need.

The pins are pytest-asyncio 1.5 and pytest 9: strict mode with both default loop scopes set to
function (the 1.1+ row of the write-up's table), async fixtures through
``pytest_asyncio.fixture``, a wider fixture only with a matching ``loop_scope`` on its tests, and
an unmarked ``async def`` test fails instead of being skipped.
"""

import textwrap
import tomllib
from importlib import metadata

from packaging.version import Version

from harness import notebook as nb
from harness.servers import REPO

MODULE = '''
import pytest
import pytest_asyncio

from harness.client import communicator


async def connected():
    comm = communicator("/ws/echo/")
    assert (await comm.connect())[0]
    return comm


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def shared(harness_db):
    comm = await connected()
    yield comm
    await comm.disconnect()


@pytest_asyncio.fixture
async def own(harness_db):
    comm = await connected()
    yield comm
    await comm.disconnect()


@pytest.mark.asyncio(loop_scope="session")
@pytest.mark.parametrize("n", [1, 2])
async def test_shared(shared, n):
    await shared.send_json_to({"n": n})
    assert await shared.receive_json_from() == {"n": n}


@pytest.mark.asyncio
async def test_own(own):
    await own.send_json_to({"n": 3})
    assert await own.receive_json_from() == {"n": 3}


async def test_unmarked_async_test_does_not_pass_silently():
    pass
'''


def test_when_the_project_config_is_read_then_it_is_the_row_for_its_pins():
    options = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert Version(metadata.version("pytest-asyncio")) >= Version("1.1")
    assert options["asyncio_mode"] == "strict"
    assert options["asyncio_default_fixture_loop_scope"] == "function"
    assert options["asyncio_default_test_loop_scope"] == "function"


def test_when_the_table_row_runs_then_fixtures_pass_and_an_unmarked_test_fails(tmp_path):
    (tmp_path / "pytest.ini").write_text(textwrap.dedent("""
        [pytest]
        asyncio_mode = strict
        asyncio_default_fixture_loop_scope = function
        asyncio_default_test_loop_scope = function
    """))
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["harness.fixtures"]\n')
    (tmp_path / "test_row.py").write_text(MODULE)
    result = nb.run_pytest("-rA", "-p", "no:kb_known_issues", cwd=tmp_path, timeout=180)
    assert result.outcomes == {"passed": 3, "failed": 1}, result.output
    assert "FAILED test_row.py::test_unmarked_async_test_does_not_pass_silently" in result.output
    assert "async def functions are not natively supported" in result.output
