"""The result dataclasses: how a lint problem prints, what counts as a passed run."""

from pathlib import Path

from kb.results import Problem, RunResult


def test_a_problem_prints_as_path_line_message_code_relative_to_the_root():
    problem = Problem(Path("/kb/context/x.md"), "section '## Fix' is missing", "sections", line=12)
    assert problem.format(Path("/kb")) == "context/x.md:12: section '## Fix' is missing [sections]"
    assert Problem(Path("/elsewhere/y.md"), "m", "c").format(Path("/kb")) == "/elsewhere/y.md: m [c]"


def test_only_passed_runs_are_ok_and_results_serialise_to_json_fields():
    assert RunResult("a", "passed", 1.0).ok
    assert not RunResult("a", "timeout", 1.0).ok
    assert RunResult("a", "failed", 2.5, "In [3]: E: x", "executed/a.ipynb").to_json() == {
        "id": "a", "status": "failed", "seconds": 2.5, "error": "In [3]: E: x", "output": "executed/a.ipynb"}


def test_the_results_module_imports_on_python_3_10_the_oldest_sets_interpreter():
    """Every notebook's last cell (check_claims) imports kb.results through kb.lint; the oldest
    set runs Python 3.10, which has no datetime.UTC."""
    import subprocess

    import pytest

    from harness.servers import REPO
    from kb.versions import find_python

    python = find_python("3.10")
    if python is None:
        pytest.skip("no Python 3.10 here")
    done = subprocess.run([str(python), "-c", "import kb.results as r; print(r.RunResult('a', 'passed', 1.0).ok)"],
                          cwd=REPO, capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(REPO)})
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr[-2000:]
