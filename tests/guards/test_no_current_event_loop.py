"""Guard for no-current-event-loop: nothing here asks asyncio for an implicit loop.

No module of the project calls ``asyncio.get_event_loop()``; sync code that drives a
communicator owns its loop (``asyncio.Runner``) and keeps working after ``asyncio.run()`` left
no current loop; communicators are built inside the running loop; Django async test methods run
after another test used ``asyncio.run()``.
"""

import ast
import asyncio
import textwrap
from pathlib import Path

import pytest

from harness import notebook as nb
from harness.client import communicator
from harness.servers import REPO

FOLDERS = ("harness", "kb", "tests", "bench")


def calls_get_event_loop(path) -> list[int]:
    """Line numbers of ``asyncio.get_event_loop()`` / ``get_event_loop()`` calls in ``path``."""
    tree = ast.parse(path.read_text(), str(path))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "get_event_loop"]


def test_when_the_project_is_scanned_then_no_module_calls_get_event_loop():
    this_guard = Path(__file__).resolve()  # it calls get_event_loop() on purpose, to show it fail
    found = {str(path.relative_to(REPO)): lines for folder in FOLDERS
             for path in sorted((REPO / folder).rglob("*.py"))
             if path.resolve() != this_guard and (lines := calls_get_event_loop(path))}
    assert found == {}


def test_when_the_scan_sees_a_call_then_it_reports_its_line(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import asyncio\n\nloop = asyncio.get_event_loop()\n")
    assert calls_get_event_loop(module) == [3]


async def echo_round_trip():
    """Build an echo communicator in the running loop and do one round trip."""
    comm = communicator("/ws/echo/")
    assert (await comm.connect(timeout=5))[0]
    await comm.send_json_to({"type": "ping"})
    assert await comm.receive_json_from(timeout=5) == {"type": "ping"}
    await comm.disconnect(timeout=5)


async def build():
    return communicator("/ws/echo/")


def steps(run):
    """Drive an echo communicator through ``run`` (one loop's ``run``): build, connect, echo, close."""
    comm = run(build())
    assert run(comm.connect(timeout=5))[0]
    run(comm.send_json_to({"type": "ping"}))
    assert run(comm.receive_json_from(timeout=5)) == {"type": "ping"}
    run(comm.disconnect(timeout=5))


def test_when_asyncio_run_left_no_loop_then_a_runner_still_drives_a_communicator(harness_db):
    asyncio.run(echo_round_trip())
    with pytest.raises(RuntimeError, match=r"^There is no current event loop in thread 'MainThread'\.$"):
        asyncio.get_event_loop_policy().get_event_loop()
    if hasattr(asyncio, "Runner"):  # Python 3.11+
        with asyncio.Runner() as runner:  # one loop for every step
            steps(runner.run)
    else:  # Python 3.10 has no asyncio.Runner: a loop of its own, closed after the steps
        loop = asyncio.new_event_loop()
        try:
            steps(loop.run_until_complete)
        finally:
            loop.close()


@pytest.mark.asyncio
async def test_when_a_communicator_is_built_in_the_running_loop_then_it_works(harness_db):
    await echo_round_trip()


def test_when_django_runs_async_test_methods_after_asyncio_run_then_they_pass(tmp_path):
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["harness.fixtures"]\n')
    (tmp_path / "test_django_async.py").write_text(textwrap.dedent('''
        import asyncio

        from django.test import SimpleTestCase

        from harness.client import communicator


        async def echo_round_trip():
            comm = communicator("/ws/echo/")
            assert (await comm.connect())[0]
            await comm.send_json_to({"type": "ping"})
            assert await comm.receive_json_from() == {"type": "ping"}
            await comm.disconnect()


        def test_seed_with_asyncio_run(harness_db):
            asyncio.run(echo_round_trip())


        class EchoTests(SimpleTestCase):
            async def test_async_method(self):
                await echo_round_trip()
    '''))
    result = nb.run_pytest("-rA", "-p", "no:kb_known_issues", cwd=tmp_path, timeout=180)
    assert result.returncode == 0 and result.outcomes == {"passed": 2}, result.output
