"""``kb soak``: runs the notebook suite N times and counts each notebook's failures."""

import argparse
import contextlib
import time
from pathlib import Path

import nbformat
import psutil

from kb import soak


def soak_args(root: Path, *argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    soak.add_arguments(parser)
    return parser.parse_args([*argv, "--root", str(root), "--no-fuzz"])


def write_notebook(folder: Path, name: str, source: str) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["execution"] = {"timeout": 60}
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / f"{name}.ipynb"))


JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="notebooks.ok.ipynb" name="ok.ipynb" time="2.5" />
<testcase classname="notebooks.bad.ipynb" name="bad.ipynb" time="3.0"><failure message="-----&#10;raise ValueError('boom')&#10;#x1B[31mValueError#x1B[39m: boom"></failure></testcase>
<testcase classname="notebooks.slow.ipynb" name="slow.ipynb" time="9.0"><failure message="A cell timed out while it was being executed, after 5 seconds.&#10;The message was: Cell execution timed out.">A cell timed out while it was being executed, after 5 seconds.
The message was: Cell execution timed out.</failure></testcase>
<testcase classname="notebooks.gone.ipynb" name="gone.ipynb" time="0.1"><error message="NBMAKE INTERNAL ERROR"></error></testcase>
<testcase classname="notebooks.subrun.ipynb" name="subrun.ipynb" time="5.0"><failure message="cut">-----
assert outcome == 7, run.output
#x1B[31mAssertionError#x1B[39m                            Traceback (most recent call last)
Cell In[23], line 3
----&gt; 3 assert outcome == 7, run.output
#x1B[31mAssertionError#x1B[39m: .FF....F       [100%]
E   RuntimeError: bound to a different event loop
RuntimeError: Lock is bound to a different event loop
3 failed, 5 passed in 3.62s</failure></testcase>
<testcase classname="notebooks.long.ipynb" name="long.ipynb" time="4.0"><failure message="-----&#10;cell source [+67 more lines; full report in element text]">-----
cell source
#x1B[31mFileNotFoundError#x1B[39m: [Errno 2] No such file or directory: '/tmp/x'</failure></testcase>
<testcase classname="notebooks.skip.ipynb" name="skip.ipynb" time="0.0"><skipped message="no" /></testcase>
</testsuite></testsuites>"""


def test_when_junit_has_failures_then_each_gets_its_one_line_summary(tmp_path):
    report = tmp_path / "run.xml"
    report.write_text(JUNIT)

    cases = soak.parse_junit(report)

    assert cases == {
        "ok.ipynb": (2.5, None),
        "bad.ipynb": (3.0, "ValueError: boom"),
        "slow.ipynb": (9.0, "A cell timed out while it was being executed, after 5 seconds."),
        "gone.ipynb": (0.1, "NBMAKE INTERNAL ERROR"),
        "subrun.ipynb": (5.0, "AssertionError: .FF....F [100%]"),
        "long.ipynb": (4.0, "FileNotFoundError: [Errno 2] No such file or directory: '/tmp/x'"),
    }


def test_when_a_report_is_not_xml_then_no_cases(tmp_path):
    report = tmp_path / "run.xml"
    report.write_text("<testsuites><testcase")
    assert soak.parse_junit(report) == {}


def test_when_there_are_no_notebooks_then_exit_2(tmp_path, capsys):
    assert soak.run(soak_args(tmp_path)) == 2
    assert "no notebooks in" in capsys.readouterr().err


def test_when_an_id_is_unknown_then_exit_2(tmp_path, capsys):
    write_notebook(tmp_path / "notebooks", "ok", "1 + 1")
    assert soak.run(soak_args(tmp_path, "nope")) == 2
    assert "unknown notebook(s): nope" in capsys.readouterr().err


def test_when_a_notebook_fails_in_one_run_of_two_then_the_table_counts_it_and_exit_1(
    tmp_path, capsys
):
    counter = tmp_path / "count.txt"
    write_notebook(tmp_path / "notebooks", "steady", "assert 1 + 1 == 2")
    write_notebook(
        tmp_path / "notebooks",
        "flaky",
        "from pathlib import Path\n"
        f"counter = Path({str(counter)!r})\n"
        "n = int(counter.read_text()) + 1 if counter.exists() else 1\n"
        "counter.write_text(str(n))\n"
        "assert n != 1, 'fails on the first run only'",
    )

    status = soak.run(soak_args(tmp_path, "--runs", "2", "-n", "0"))

    out = capsys.readouterr().out
    assert status == 1, out
    assert "run 1/2: 1 passed, 1 failed" in out
    assert "run 2/2: 2 passed, 0 failed" in out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith(("flaky", "steady"))}
    assert rows["flaky"][1:3] == ["2/2", "1"]
    assert "AssertionError: fails on the first run only" in " ".join(out.split())  # may wrap
    assert rows["steady"][1:3] == ["2/2", "0"]
    assert "total: 1 failure(s) in 2 run(s) of 2 notebook(s)" in out
    assert (tmp_path / "build" / "soak" / "run-02.xml").exists()


def test_when_every_run_passes_then_exit_0(tmp_path, capsys):
    write_notebook(tmp_path / "notebooks", "steady", "assert 1 + 1 == 2")
    assert soak.run(soak_args(tmp_path, "--runs", "1", "-n", "0")) == 0
    assert "total: 0 failure(s) in 1 run(s) of 1 notebook(s)" in capsys.readouterr().out


def test_when_a_run_overruns_then_it_is_stopped_and_counted(tmp_path, capsys):
    limit = 8
    write_notebook(tmp_path / "notebooks", "hangs", "import time\ntime.sleep(300)")

    status = soak.run(soak_args(tmp_path, "--runs", "1", "-n", "0", "--run-timeout", str(limit)))

    out = capsys.readouterr().out
    assert status == 1, out
    assert "run 1/1: 0 passed, 1 failed" in out and f"stopped after {limit} s (--run-timeout)" in out
    assert "total: 1 failure(s) and 1 run(s) that did not finish in 1 run(s)" in out
    row = next(line for line in out.splitlines() if line.startswith("hangs"))
    assert row.split()[1:3] == ["1/1", "1"], row
    assert processes_in(tmp_path) == [], "the stopped run left its kernel running"


def processes_in(folder: Path, timeout: float = 30.0) -> list[str]:
    """Processes whose working directory is inside ``folder`` (a kernel's is its notebook's
    folder), polled until there are none or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for proc in psutil.process_iter():
            with contextlib.suppress(psutil.Error):
                if Path(proc.cwd()).is_relative_to(folder) and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
        if not found or time.monotonic() > deadline:
            return [" ".join(p.cmdline()) for p in found]
        psutil.wait_procs(found, timeout=0.5)
