"""``kb matrix`` and ``kb.versions``: version sets, venvs, outcomes, expect files, tables.

The real sets take minutes each; these tests build one tiny set (pytest alone, from uv's
cache or the package index) in a throw-away knowledge base, and check the rest on records.
"""

import io
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from kb import envs, matrix, matrix_results, matrix_runs, versions
from kb.cli import main
from kb.lint import lint

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def make_kb(root: Path, sets: dict[str, tuple[str, str]]) -> Path:
    """A knowledge base with one entry ("tiny": a notebook and a passing guard) and ``sets``:
    name -> (python version, requirements text)."""
    (root / "versions").mkdir(parents=True)
    spec = {}
    for name, (python, requirements) in sets.items():
        (root / "versions" / f"{name}.txt").write_text(requirements)
        spec[name] = {"python": python, "requirements": f"{name}.txt", "description": name}
    (root / "versions" / "sets.yaml").write_text(json.dumps(spec))  # JSON is YAML
    (root / "notebooks").mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]),
                   str(root / "notebooks" / "tiny.ipynb"))
    (root / "tests" / "guards").mkdir(parents=True)
    (root / "tests" / "guards" / "test_tiny.py").write_text("def test_tiny():\n    assert 1 + 1 == 2\n")
    return root


def kb_matrix(root: Path, *argv: str) -> int:
    return main(["matrix", "--root", str(root), *argv])


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One run over a broken set, a set with no interpreter, and a tiny working set:
    (root, exit status, stdout, stderr). Each test module worker makes its own."""
    root = make_kb(tmp_path_factory.mktemp("kb"), {
        "broken": (PYTHON, "pytest==9.2.0\npytest==8.4.2\n"),
        "nopython": ("2.9", "pytest==9.2.0\n"),
        "tiny": (PYTHON, "pytest==9.2.0\n"),
    })
    with pytest.MonkeyPatch.context() as patch:
        out, err = io.StringIO(), io.StringIO()
        patch.setattr(sys, "stdout", out)
        patch.setattr(sys, "stderr", err)
        code = kb_matrix(root, "-n", "2")
    return root, code, out.getvalue(), err.getvalue()


@pytest.fixture
def ran(first_run):
    return first_run[0]


def test_when_a_set_cannot_install_then_one_line_names_it_and_the_other_sets_still_run(first_run):
    ran, code, out, err = first_run
    assert code == 1
    broken = [line for line in out.splitlines() if line.startswith("[broken] install failed")]
    assert broken == ["[broken] install failed: No solution found when resolving dependencies: "
                      "Because you require pytest==9.2.0 and pytest==8.4.2, we can conclude that "
                      "your requirements are unsatisfiable."]
    assert "[broken] could not install" in err
    assert "[tiny] tiny guard passed in" in out
    report = json.loads((ran / "build" / "matrix.json").read_text())
    by_name = {s["name"]: s for s in report["sets"]}
    assert list(by_name) == ["broken", "nopython", "tiny"]
    assert by_name["broken"]["status"] == "install-failed" and by_name["broken"]["entries"] == {}
    tiny = by_name["tiny"]
    assert tiny["status"] == "ran" and tiny["python"].startswith(PYTHON + ".")
    assert tiny["versions"] == {"pytest": "9.2.0"}
    assert tiny["entries"]["tiny"]["guard"]["status"] == "passed"
    # nbmake is not in the tiny set: the notebook fails, with pytest's own one-line reason
    notebook = tiny["entries"]["tiny"]["notebook"]
    assert notebook["status"] == "failed" and "--nbmake" in notebook["error"]
    assert set(notebook) == {"status", "seconds", "error"}


def test_when_the_interpreter_is_missing_then_the_set_is_reported_skipped(ran, capsys):
    code = kb_matrix(ran, "--set", "nopython")
    out, _ = capsys.readouterr()
    assert code == 0
    assert "[nopython] skipped: no python2.9 (PATH, pyenv)" in out
    report = json.loads((ran / "build" / "matrix.json").read_text())
    assert {s["name"]: s["status"] for s in report["sets"]}["nopython"] == "skipped"
    assert "tiny                     skipped" in out  # the table shows it in the entry's row


def test_when_no_python314_exists_then_the_newest_py314_set_is_skipped_not_failed(tmp_path, monkeypatch, capsys):
    """The real versions/sets.yaml: newest-py314 is the newest set's requirements on 3.14,
    which no machine here can install; with no python3.14 on PATH or under pyenv it is one
    "skipped" line and a "skipped" record, and the run exits 0."""
    repo = Path(matrix.REPO)
    sets = versions.load_sets(repo)
    assert sets["newest-py314"].python == "3.14"
    assert sets["newest-py314"].requirements == sets["newest"].requirements == repo / "versions" / "newest.txt"
    assert sets["newest"].requirements.exists() and sets["newest"].python == "3.13"
    monkeypatch.setenv("PATH", str(tmp_path))  # no pythonX.Y here; uv is found beside sys.executable
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    code = main(["matrix", "--root", str(repo), "--build", str(tmp_path / "build"), "--set", "newest-py314"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert "[newest-py314] skipped: no python3.14 (PATH, pyenv)" in out.splitlines()
    report = json.loads((tmp_path / "build" / "matrix.json").read_text())
    assert [(s["name"], s["status"], s["reason"], s["entries"]) for s in report["sets"]] == [
        ("newest-py314", "skipped", "no python3.14 (PATH, pyenv)", {})]
    assert not (tmp_path / "build" / "matrix" / "newest-py314" / "venv").exists()


def test_when_inputs_are_unchanged_then_the_venv_is_reused(ran, capsys):
    kb_matrix(ran, "--set", "tiny")
    out, _ = capsys.readouterr()
    assert "[tiny] reused in" in out and "installing" not in out


def test_a_partial_run_keeps_the_other_sets_and_entries_of_the_last_one(ran):
    path = ran / "build" / "matrix.json"
    report = json.loads(path.read_text())
    tiny = next(s for s in report["sets"] if s["name"] == "tiny")
    tiny["entries"]["other"] = {"guard": {"status": "passed", "seconds": 1.0, "error": ""}}
    path.write_text(json.dumps(report))
    kb_matrix(ran, "--set", "tiny")
    report = json.loads(path.read_text())
    assert {s["name"] for s in report["sets"]} == {"broken", "nopython", "tiny"}
    tiny = next(s for s in report["sets"] if s["name"] == "tiny")
    assert set(tiny["entries"]) == {"tiny", "other"}


def test_expect_file_passes_only_on_exactly_the_known_failures(ran, capsys):
    expect = ran / "expect.json"
    expect.write_text(json.dumps({"tiny": {"tiny": {"notebook": "--nbmake"}}}))
    assert kb_matrix(ran, "--set", "tiny", "--expect", str(expect)) == 0
    expect.write_text(json.dumps({"tiny": {"tiny": {"notebook": "some other error"}}}))
    assert kb_matrix(ran, "--set", "tiny", "--expect", str(expect)) == 1
    assert "fails differently than expected" in capsys.readouterr().err
    expect.write_text(json.dumps({"tiny": {"tiny": {"notebook": "--nbmake", "guard": "boom"}}}))
    assert kb_matrix(ran, "--set", "tiny", "--expect", str(expect)) == 1
    assert "passed, but --expect lists it as failing" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--set", "nosuch"], "unknown set(s) nosuch"),
    (["--entry", "nosuch"], "no notebook for nosuch"),
    (["-n", "0"], "-n must be 1 or more"),
    (["--record"], "run `kb matrix` first"),
])
def test_bad_usage_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    root = make_kb(tmp_path, {"tiny": (PYTHON, "pytest==9.2.0\n")})
    assert kb_matrix(root, *argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_when_the_expect_file_is_malformed_then_exit_2(tmp_path, capsys):
    root = make_kb(tmp_path, {"tiny": (PYTHON, "")})
    (tmp_path / "expect.json").write_text(json.dumps({"tiny": {"tiny": {"notebook": 3}}}))
    assert kb_matrix(root, "--expect", str(tmp_path / "expect.json")) == 2
    assert "want entry -> set ->" in capsys.readouterr().err


def test_uv_error_keeps_the_first_line_and_its_reason():
    text = ("  × No solution found when resolving dependencies:\n"
            "  ╰─▶ Because you require pytest==9.2.0 and pytest==8.4.2, we can conclude that your requirements are unsatisfiable.\n")
    assert envs.uv_error(text) == ("No solution found when resolving dependencies: Because you require "
                                     "pytest==9.2.0 and pytest==8.4.2, we can conclude that your "
                                     "requirements are unsatisfiable.")
    assert envs.uv_error("error: Requirements contain conflicting URLs\n") == "Requirements contain conflicting URLs"


# ---- results.json and the write-ups' Versions tables ------------------------------------

MATRIX = {"sets": [
    {"name": "new", "status": "ran", "python": "3.11.7", "versions": {"django": "5.2.19", "pip": "25"},
     "entries": {"demo": {"notebook": {"status": "passed", "seconds": 3.2, "error": ""},
                          "guard": {"status": "passed", "seconds": 1.0, "error": ""}}}},
    {"name": "old", "status": "ran", "python": "3.10.13", "versions": {"django": "4.2.30"},
     "entries": {"demo": {"notebook": {"status": "failed", "seconds": 2.0, "error": "KeyError: 'x|y'"},
                          "guard": {"status": "passed", "seconds": 1.0, "error": ""}}}},
    {"name": "gone", "status": "skipped", "reason": "no Python 2.9 interpreter (PATH, pyenv)",
     "entries": {}},
]}

WRITEUP = """---
id: demo
---
# Demo

## Versions

Shown on the pins.
"""


def test_results_hold_no_machine_paths():
    assert versions.portable("ImportError: cannot import name 'x' from 'y' (/work/wt/m/build/matrix/"
                             "oldest/venv/lib/python3.10/site-packages/channels_redis/utils.py)") == (
        "ImportError: cannot import name 'x' from 'y' (.../site-packages/channels_redis/utils.py)")
    assert versions.portable("FileNotFoundError: /tmp/abc/def/redis.sock") == (
        "FileNotFoundError: .../def/redis.sock")


def test_results_keep_outcomes_and_key_versions_but_no_timings():
    results = versions.summarise(MATRIX)
    assert results["sets"]["new"]["versions"] == {"django": "5.2.19"}
    assert results["entries"]["demo"]["old"]["notebook"] == {"status": "failed", "error": "KeyError: 'x|y'"}
    assert "seconds" not in json.dumps(results)


def test_table_block_has_a_row_per_set_with_versions_and_outcomes():
    block = versions.table_block(versions.summarise(MATRIX), "demo")
    lines = block.splitlines()
    assert lines[0] == versions.BLOCK_START and lines[-1] == versions.BLOCK_END
    assert lines[3] == "| version set | Python | Django | notebook | guard |"
    assert lines[5] == "| new | 3.11.7 | 5.2.19 | passed | passed |"
    assert lines[6] == "| old | 3.10.13 | 4.2.30 | failed: `KeyError: 'x\\|y'` | passed |"
    assert lines[7] == "| gone | - | - | skipped: no Python 2.9 interpreter (PATH, pyenv) | - |"


def kb_with_writeup(root: Path) -> Path:
    (root / "context").mkdir(parents=True)
    (root / "context" / "demo.md").write_text(WRITEUP)
    (root / "versions").mkdir()
    (root / "versions" / "results.json").write_text(json.dumps(versions.summarise(MATRIX)))
    return root


def versions_problems(root: Path) -> list[str]:
    return [p.message for p in lint(root, ["demo"]) if p.code == "versions-table"]


def test_lint_fails_while_the_block_is_missing_or_stale_and_passes_once_written(tmp_path, capsys):
    root = kb_with_writeup(tmp_path)
    assert versions_problems(root) == ["## Versions has no generated table: run `kb matrix --write-tables`"]
    assert kb_matrix(root, "--write-tables") == 0
    assert "1 write-up(s) changed (demo)" in capsys.readouterr().out
    text = (root / "context" / "demo.md").read_text()
    assert text.index("## Versions") < text.index(versions.BLOCK_START) < text.index("Shown on the pins.")
    assert versions_problems(root) == []
    assert kb_matrix(root, "--write-tables") == 0  # idempotent
    assert (root / "context" / "demo.md").read_text() == text
    changed = versions.summarise(MATRIX)
    changed["entries"]["demo"]["new"]["guard"] = {"status": "failed", "error": "boom"}
    (root / "versions" / "results.json").write_text(json.dumps(changed))
    assert versions_problems(root) == [
        "the Versions table is stale against versions/results.json: run `kb matrix --write-tables`"]


def test_lint_ignores_entries_the_results_do_not_list_and_a_kb_without_results(tmp_path):
    root = kb_with_writeup(tmp_path)
    (root / "versions" / "results.json").write_text(json.dumps({"sets": {}, "entries": {}}))
    assert versions_problems(root) == []
    (root / "versions" / "results.json").unlink()
    assert versions_problems(root) == []


def test_record_writes_results_from_the_last_run(tmp_path, capsys):
    root = kb_with_writeup(tmp_path)
    (root / "build").mkdir()
    (root / "build" / "matrix.json").write_text(json.dumps(MATRIX))
    assert kb_matrix(root, "--record") == 0
    assert json.loads((root / "versions" / "results.json").read_text()) == versions.summarise(MATRIX)


def test_record_folds_a_partial_run_into_the_recorded_results(tmp_path, capsys):
    """A run of one set (or one CI shard) records what it measured and keeps the rest; a set
    whose versions changed loses the outcomes that were not measured again."""
    root = kb_with_writeup(tmp_path)
    (root / "build").mkdir()
    (root / "build" / "matrix.json").write_text(json.dumps(MATRIX))
    assert kb_matrix(root, "--record") == 0
    before = json.loads((root / "versions" / "results.json").read_text())
    partial = json.loads(json.dumps(MATRIX))
    partial["sets"] = [partial["sets"][1]]  # "old" only, same versions, one entry failing now
    partial["sets"][0]["entries"]["demo"]["notebook"] = {"status": "failed", "seconds": 1, "error": "E: x"}
    (root / "build" / "matrix.json").write_text(json.dumps(partial))
    assert kb_matrix(root, "--record") == 0
    after = json.loads((root / "versions" / "results.json").read_text())
    assert after["sets"] == before["sets"]
    assert after["entries"]["demo"]["old"]["notebook"] == {"status": "failed", "error": "E: x"}
    assert {s: o for s, o in after["entries"]["demo"].items() if s != "old"} == {
        s: o for s, o in before["entries"]["demo"].items() if s != "old"}
    moved = json.loads(json.dumps(MATRIX))
    moved["sets"] = [moved["sets"][1]]
    moved["sets"][0]["python"] = "3.99.0"
    moved["sets"][0]["entries"] = {}
    (root / "build" / "matrix.json").write_text(json.dumps(moved))
    assert kb_matrix(root, "--record") == 0
    final = json.loads((root / "versions" / "results.json").read_text())
    assert final["sets"]["old"]["python"] == "3.99.0"
    assert all("old" not in by_set for by_set in final["entries"].values())
    assert "recorded on other versions" in capsys.readouterr().err


def test_the_repository_sets_name_their_interpreters_and_files():
    sets = versions.load_sets(Path(matrix.REPO))
    assert {"pins", "pins-py312", "pins-py313", "lts", "oldest"} <= set(sets)
    for vset in sets.values():
        assert vset.requirements.exists() and vset.description and vset.python.count(".") == 1


def test_write_expect_lists_the_last_runs_failures_by_their_stable_start(tmp_path, capsys):
    root = kb_with_writeup(tmp_path)
    failing = json.loads(json.dumps(MATRIX))
    failing["sets"][0]["entries"]["demo"]["guard"] = {
        "status": "failed", "seconds": 1.0, "error": "AssertionError: 2 passed in 3.25s"}
    (root / "build").mkdir()
    (root / "build" / "matrix.json").write_text(json.dumps(failing))
    assert kb_matrix(root, "--write-expect", str(root / "expected.json")) == 0
    assert "wrote 2 known failure(s)" in capsys.readouterr().out
    expected = json.loads((root / "expected.json").read_text())
    assert {k: v for k, v in expected.items() if k != "_comment"} == {
        "demo": {"new": {"guard": "AssertionError: 2 passed in"}, "old": {"notebook": "KeyError: 'x|y'"}}}
    assert matrix_results.expected_text("ImportError: cannot import name 'x' from 'y' (/work/a/b.py)") == (
        "ImportError: cannot import name 'x' from 'y'")
    assert matrix_results.load_expect(root / "expected.json") == {k: v for k, v in expected.items() if k != "_comment"}


def test_failure_line_takes_a_guards_E_line_and_says_where_a_bare_assert_failed():
    guard = ("def test_x():\n>       await ws.recv()\nE           websockets.legacy.exceptions."
             "InvalidStatusCode: server rejected WebSocket connection: HTTP 403\n\nlib/client.py:322: "
             "InvalidStatusCode")
    assert matrix_runs.failure_line(guard, notebook=False) == (
        "websockets.legacy.exceptions.InvalidStatusCode: server rejected WebSocket connection: HTTP 403")
    cell = ("----------\n\x1b[31mAssertionError\x1b[39m   Traceback (most recent call last)\nCell In[7], "
            "line 2\n      1 x = 1\n----> 2 assert x == 2, 'F [100%]'\n\nAssertionError: ")
    assert matrix_runs.failure_line(cell, notebook=True) == "AssertionError at `assert x == 2, 'F [100%]'`"
    told = cell.replace("AssertionError: ", "AssertionError: x was 1")
    assert matrix_runs.failure_line(told, notebook=True) == "AssertionError: x was 1"


def test_merge_folds_another_runs_entries_into_the_sets_and_keeps_the_rest(tmp_path, capsys):
    """Two checkouts each ran some entries: --merge makes one matrix of both, then --record."""
    root = kb_with_writeup(tmp_path)
    (root / "build").mkdir()
    (root / "build" / "matrix.json").write_text(json.dumps(MATRIX))
    other = json.loads(json.dumps(MATRIX))
    other["sets"] = [other["sets"][1], {"name": "third", "status": "ran", "python": "3.13.0",
                                        "versions": {}, "entries": {}}]
    other["sets"][0]["entries"] = {"second": {"notebook": {"status": "passed", "seconds": 1, "error": ""}},
                                   "demo": {"notebook": {"status": "passed", "seconds": 1, "error": ""}}}
    (tmp_path / "other.json").write_text(json.dumps(other))
    assert kb_matrix(root, "--merge", str(tmp_path / "other.json"), "--record") == 0
    merged = {s["name"]: s for s in json.loads((root / "build" / "matrix.json").read_text())["sets"]}
    assert sorted(merged) == ["gone", "new", "old", "third"]
    assert merged["old"]["entries"]["demo"]["notebook"]["status"] == "passed"  # the later run wins
    assert sorted(merged["old"]["entries"]) == ["demo", "second"]
    assert merged["new"] == MATRIX["sets"][0]  # untouched
    assert sorted(json.loads((root / "versions" / "results.json").read_text())["entries"]) == ["demo", "second"]
    assert "merged" in capsys.readouterr().out


def test_merge_of_an_unreadable_file_is_one_line_and_exit_2(tmp_path, capsys):
    root = kb_with_writeup(tmp_path)
    assert kb_matrix(root, "--merge", str(tmp_path / "absent.json")) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("kb matrix: ") and "absent.json" in err and "\n" not in err


def test_failed_log_tails_print_the_end_of_each_failed_runs_log_and_nothing_for_passed_ones(tmp_path):
    reports = tmp_path / "matrix" / "lts" / "reports"
    reports.mkdir(parents=True)
    (reports / "a.notebook.log").write_text("".join(f"line {n}\n" for n in range(100)))
    (reports / "a.guard.log").write_text("all good\n")
    record = matrix_results.SetRecord("lts", "ran", entries={"a": {
        "notebook": matrix_results.Outcome("failed", 3.0, "AssertionError: ..F.."),
        "guard": matrix_results.Outcome("passed", 1.0)}})
    tails = matrix_runs.failed_log_tails(tmp_path, [record], lines=5)
    assert tails[0].startswith("--- [lts] a notebook failed: the last 5 lines of ")
    assert tails[1:] == [f"line {n}" for n in range(95, 100)]
    assert "all good" not in tails


def test_rerun_reports_a_run_that_failed_then_passed_as_flaky_and_keeps_its_first_log(tmp_path, monkeypatch):
    stem = tmp_path / "a.notebook"
    outcomes = iter([matrix_results.Outcome("failed", 2.0, "AssertionError: first"), matrix_results.Outcome("passed", 2.0)])

    def fake_run_one(venv, root, stem_, argv, timeout, env):
        stem_.with_suffix(".notebook.log").write_text("the log of this run\n")
        return next(outcomes)

    monkeypatch.setattr(matrix_runs, "run_one", fake_run_one)
    outcome = matrix_runs.run_with_reruns(tmp_path, tmp_path, stem, ["x"], 10.0, {}, rerun=1)
    assert (outcome.status, outcome.flaky) == ("passed", "AssertionError: first")
    assert (tmp_path / "a.notebook.first.log").read_text() == "the log of this run\n"


def test_without_rerun_a_failed_run_stays_failed_and_a_rerun_that_fails_again_stays_failed(tmp_path, monkeypatch):
    monkeypatch.setattr(matrix_runs, "run_one",
                        lambda *a: matrix_results.Outcome("failed", 1.0, "AssertionError: always"))
    for rerun in (0, 2):
        outcome = matrix_runs.run_with_reruns(tmp_path, tmp_path, tmp_path / "b.guard", ["x"], 10.0, {}, rerun)
        assert (outcome.status, outcome.error, outcome.flaky) == ("failed", "AssertionError: always", "")


def test_compile_sources_writes_the_harness_and_kb_bytecode_for_that_interpreter(tmp_path):
    assert not matrix_runs.compile_sources(Path(sys.executable), tmp_path)  # no harness/, no kb/
    for package in ("harness", "kb"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("X = 1\n")
    (tmp_path / "other.py").write_text("Y = 2\n")
    assert not matrix_runs.compile_sources(tmp_path / "no-such-python", tmp_path)
    assert not list(tmp_path.rglob("*.pyc"))
    # the interpreter given is the one that runs, in root: a wrapper records its argv and folder
    calls = tmp_path / "calls.txt"
    wrapper = tmp_path / "python-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$PWD $*" >> {calls}\nexec {sys.executable} "$@"\n')
    wrapper.chmod(0o755)
    tag = sys.implementation.cache_tag
    assert matrix_runs.compile_sources(wrapper, tmp_path, {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert calls.read_text() == f"{tmp_path} -m compileall -q --invalidation-mode checked-hash harness kb\n"
    assert (tmp_path / "harness" / "__pycache__" / f"__init__.{tag}.pyc").is_file()
    assert (tmp_path / "kb" / "__pycache__" / f"__init__.{tag}.pyc").is_file()
    assert not (tmp_path / "__pycache__").exists()  # only those two packages
    (tmp_path / "kb" / "broken.py").write_text("def (\n")
    assert not matrix_runs.compile_sources(Path(sys.executable), tmp_path)


def test_run_set_compiles_the_sources_with_the_sets_interpreter_first(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(matrix_runs, "compile_sources", lambda python, root, env: calls.append((python, root)))
    record = matrix_results.SetRecord(name="s", status="ran")
    matrix_runs.run_set(record, tmp_path / "root", tmp_path / "set", [], jobs=1, timeout=10.0)
    assert calls == [(tmp_path / "set" / "venv" / "bin" / "python", tmp_path / "root")]
    assert "bytecode of harness/ and kb/ not written" in capsys.readouterr().out  # the stub returned None
