"""harness.notebook.run_pytest: a notebook's nested pytest session loads what its tests use,
and not nbmake, xdist or Hypothesis's plugin (a nested session runs no notebook, no workers and
no Hypothesis test; loading them was most of each session's start-up)."""

import textwrap

from harness.notebook import run_pytest

PROBE = """
    def test_plugins(pytestconfig):
        manager = pytestconfig.pluginmanager
        loaded = {name for name in ("nbmake", "xdist", "hypothesispytest", "asyncio", "kb_known_issues") if manager.has_plugin(name)}
        print("LOADED", sorted(loaded))
        assert loaded == {"asyncio", "kb_known_issues"}
"""


def test_a_nested_session_loads_pytest_asyncio_and_the_kb_plugin_but_not_nbmake_or_xdist(tmp_path):
    (tmp_path / "test_probe.py").write_text(textwrap.dedent(PROBE))
    result = run_pytest("-s", cwd=tmp_path, timeout=120)
    assert result.returncode == 0 and result.outcomes == {"passed": 1}, result.output
    assert "LOADED ['asyncio', 'kb_known_issues']" in result.output, result.output


def test_the_plugins_it_leaves_out_are_installed_here(tmp_path):
    """The probe above proves something only where they would otherwise load."""
    from importlib.metadata import entry_points

    names = {entry.name for entry in entry_points(group="pytest11")}
    assert {"nbmake", "xdist", "hypothesispytest"} <= names, names


SCRATCH = """
from harness.notebook import scratch
suite, socket = scratch("suite-"), scratch("no-redis-")
(suite / "test_x.py").write_text("def test_x(): pass")
print(suite)
print(socket)
"""


def test_a_kernels_scratch_folders_are_gone_when_it_exits(tmp_path):
    """nb.scratch gives each suite its own folder while the kernel runs; at its exit the
    temporary folder holds nothing of it (tempfile.mkdtemp left one folder per call)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from harness.servers import REPO

    proc = subprocess.run([sys.executable, "-c", SCRATCH], cwd=REPO, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, TMPDIR=str(tmp_path)))
    assert proc.returncode == 0, proc.stderr
    suite, socket = (Path(line) for line in proc.stdout.split())
    assert suite != socket and suite.parent == socket.parent, proc.stdout
    assert suite.parent.parent == tmp_path and suite.name.startswith("suite-"), proc.stdout
    assert not suite.parent.exists() and list(tmp_path.iterdir()) == []


def test_the_callers_pytest_addopts_does_not_reach_a_nested_session(tmp_path, monkeypatch):
    """``PYTEST_ADDOPTS=--durations=5`` in the shell that runs ``make test`` once added a
    "slowest 5 durations" block to every nested session's output, and pytest-asyncio-setup's
    check that every output line belongs to a scenario failed on it."""
    (tmp_path / "test_probe.py").write_text("def test_x():\n    pass\n")
    monkeypatch.setenv("PYTEST_ADDOPTS", "--durations=5")
    result = run_pytest(cwd=tmp_path, timeout=120)
    assert result.returncode == 0 and result.outcomes == {"passed": 1}, result.output
    assert "slowest" not in result.output, result.output


def test_a_teams_notebooks_leave_out_the_same_variables_as_the_shipped_ones():
    from harness.servers import MACHINE_VARIABLES
    from kb import team

    assert team.MACHINE_VARIABLES == MACHINE_VARIABLES
