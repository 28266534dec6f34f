"""kb run: papermill into build/executed/, a line per notebook, summary.json, a table, the site."""

import json

import nbformat
import psutil
import pytest
from kbfixture import notebook, read_json, write_entry
from nbformat import v4

from kb import cli
from kb.run import parse_parameter

PLOT = v4.new_code_cell(
    "import matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([1, 2, 3], [1, 4, 9])\nplt.show()")


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """One run of two entries, one passing (with a plot) and one failing, two at a time."""
    root = tmp_path_factory.mktemp("kb")
    write_entry(root, "passes", nb=notebook("passes", cells=[
        PLOT, v4.new_code_cell("print(f'layer={channel_layer!r} timeout={timeout_s!r}')\nobserved = ['ok']")]))
    write_entry(root, "fails", nb=notebook("fails", cells=[
        v4.new_code_cell("raise ValueError('the failure stopped reproducing\\nsecond line')")]))
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["run", "--root", str(root), "-n", "2", "-p", "channel_layer=redis", "-p", "timeout_s=2.5"])
    children = psutil.Process().children(recursive=True)
    return root, code, out.getvalue(), children


def test_when_any_notebook_fails_then_exit_1(ran):
    assert ran[1] == 1


def test_each_finished_notebook_gets_a_progress_line(ran):
    lines = ran[2].splitlines()
    assert lines[0] == "running 2 notebooks, 2 at a time"
    progress = sorted(line for line in lines if line.startswith("[") and "/2] " in line)
    assert len(progress) == 2
    assert any("] fails   failed" in line and "In [4]: ValueError: the failure stopped reproducing" in line
               for line in progress)
    assert any("] passes  passed" in line for line in progress)


def test_the_summary_has_id_status_seconds_error_and_output(ran):
    root = ran[0]
    summary = read_json(root / "build" / "summary.json")
    results = {r["id"]: r for r in summary["results"]}
    assert summary["parameters"] == {"channel_layer": "redis", "timeout_s": 2.5}
    assert results["passes"]["status"] == "passed" and results["passes"]["error"] == ""
    assert results["fails"]["status"] == "failed"
    assert results["fails"]["error"] == "In [4]: ValueError: the failure stopped reproducing"
    assert all(r["seconds"] > 0 for r in results.values())
    assert {r["output"] for r in results.values()} == {"executed/passes.ipynb", "executed/fails.ipynb"}


def test_the_executed_notebooks_have_outputs_and_the_parameters(ran):
    executed = ran[0] / "build" / "executed"
    passed = nbformat.read(executed / "passes.ipynb", as_version=4)
    texts = [o.get("text", "") for c in passed.cells if c.cell_type == "code" for o in c.outputs]
    assert "layer='redis' timeout=2.5\n" in texts
    assert any("image/png" in o.get("data", {}) for c in passed.cells if c.cell_type == "code" for o in c.outputs)
    failed = nbformat.read(executed / "fails.ipynb", as_version=4)
    errors = [o for c in failed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["ValueError"]


def test_the_table_links_the_failed_executed_notebook(ran):
    table = ran[2].split("\n\n")[1]
    assert table.splitlines()[0].split() == ["ID", "STATUS", "TIME", "ERROR", "/", "EXECUTED", "NOTEBOOK"]
    assert "build/executed/fails.ipynb" in table
    assert "1 of 2 passed" in ran[2]


def test_the_site_is_rendered_after_the_run(ran):
    root = ran[0]
    assert f"site: {root / 'build' / 'site' / 'index.html'}" in ran[2]
    page = (root / "build" / "site" / "fails.html").read_text(encoding="utf-8")
    assert 'href="executed/fails.ipynb"' in page and "failed" in page
    assert (root / "build" / "site" / "executed" / "fails.ipynb").exists()


def test_no_kernel_outlives_the_run(ran):
    assert [p for p in ran[3] if p.is_running() and "ipykernel" in " ".join(p.cmdline())] == []


def test_when_a_cell_runs_past_the_notebooks_timeout_then_status_is_timeout(tmp_path, capsys):
    nb = notebook("hangs", cells=[v4.new_code_cell("import threading\nthreading.Event().wait()  # never set")],
                  timeout=3)
    write_entry(tmp_path, "hangs", nb=nb)
    assert cli.main(["run", "--root", str(tmp_path), "--no-site"]) == 1
    result = read_json(tmp_path / "build" / "summary.json")["results"][0]
    assert (result["status"], result["error"]) == ("timeout", "a cell ran longer than 3 s")
    assert not (tmp_path / "build" / "site").exists()


@pytest.mark.parametrize("args, reason", [
    (["no-such-entry"], "no notebook for no-such-entry"),
    (["-p", "novalue"], "parameter 'novalue' is not NAME=VALUE"),
    (["-p", "1x=3"], "is not NAME=VALUE"),
    (["-n", "0"], "-n must be 1 or more"),
])
def test_when_usage_is_bad_then_exit_2_with_one_line(tmp_path, capsys, args, reason):
    write_entry(tmp_path)
    assert cli.main(["run", "--root", str(tmp_path), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err
    assert not (tmp_path / "build" / "executed").exists()


def test_when_there_are_no_notebooks_then_exit_0_and_an_empty_site(tmp_path, capsys):
    (tmp_path / "context").mkdir()
    assert cli.main(["run", "--root", str(tmp_path)]) == 0
    assert "no notebooks to run" in capsys.readouterr().out
    assert json.loads((tmp_path / "build" / "summary.json").read_text())["results"] == []
    assert (tmp_path / "build" / "site" / "index.html").exists()


@pytest.mark.parametrize("text, expected", [
    ("channel_layer=redis", ("channel_layer", "redis")),
    ("timeout_s=2", ("timeout_s", 2)),
    ("timeout_s=2.5", ("timeout_s", 2.5)),
    ("flag=true", ("flag", True)),
    ("nothing=None", ("nothing", None)),
    ("url=redis://h:1/0?x=1", ("url", "redis://h:1/0?x=1")),
    ("empty=", ("empty", "")),
])
def test_parameters_are_converted_like_papermills(text, expected):
    assert parse_parameter(text) == expected
