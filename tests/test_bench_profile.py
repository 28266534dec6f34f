"""bench/nbprofile.py (`python -m bench notebook-profile`): a notebook's row holds the CPU of its
reaped process tree and, under strace, the programs it started."""

import os
import shutil
import subprocess
import sys
import threading
import time

import nbformat
import pytest

from bench import nbprofile

# a program that burns `seconds` of its own thread CPU time (not wall: load does not change it)
BURN = ("import time\nt = time.thread_time()\nwhile time.thread_time() - t < {seconds}:\n    pass\n")


def burner(seconds: float) -> list[str]:
    return [sys.executable, "-c", BURN.format(seconds=seconds)]


def test_run_measured_counts_a_grandchild_its_child_waited_for_and_not_this_processs_other_children(tmp_path):
    fifo = tmp_path / "go"
    os.mkfifo(fifo)
    stray = subprocess.Popen(burner(0.5))  # a child of this process, reaped while the measurement runs

    def reap_then_release():
        stray.wait(timeout=60)
        with open(fifo, "w"):  # the measured child's read of the fifo returns: it may exit now
            pass

    releaser = threading.Thread(target=reap_then_release)
    releaser.start()
    # the measured child starts a grandchild burning 0.6 s, waits for it, then for the stray's reaping
    child = [sys.executable, "-c", f"import subprocess; subprocess.run({burner(0.6)!r}, check=True); "
                                   f"open({str(fifo)!r}).read()"]
    try:
        seconds, cpu, status = nbprofile.run_measured(child, tmp_path, 60.0, tmp_path / "out.txt")
    finally:
        releaser.join(timeout=60)
    assert status == 0, (tmp_path / "out.txt").read_text()
    # the burn and two interpreter start-ups; the stray's 0.5 s (reaped meanwhile) is not in it
    assert 0.6 <= cpu < 0.6 + 0.35, cpu
    assert seconds >= cpu / (os.cpu_count() or 1)


def gone_or_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(") ", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_run_measured_past_its_timeout_kills_the_whole_group_and_has_no_cpu(tmp_path):
    marker = tmp_path / "grandchild.pid"
    child = [sys.executable, "-c", "import subprocess, sys, time\n"
             "p = subprocess.Popen([sys.executable, '-c', 'import time\\ntime.sleep(600)'])\n"
             f"open({str(marker)!r}, 'w').write(str(p.pid))\ntime.sleep(600)\n"]
    seconds, cpu, status = nbprofile.run_measured(child, tmp_path, 5.0, tmp_path / "out.txt")
    assert cpu is None and status is None and 5.0 <= seconds < 30, (seconds, cpu, status)
    grandchild = int(marker.read_text())
    deadline = time.monotonic() + 10  # SIGKILL is delivered at once; init reaps it soon after
    while not gone_or_zombie(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the process table, bounded by the deadline
    assert gone_or_zombie(grandchild)


def notebook(folder, source):
    folder.mkdir(exist_ok=True)
    book = nbformat.v4.new_notebook()
    book.cells = [nbformat.v4.new_code_cell(source)]
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    book.metadata["execution"] = {"timeout": 60}
    (folder / "notebooks").mkdir(exist_ok=True)
    path = folder / "notebooks" / "burn.ipynb"  # profile() writes the executed copy to folder/burn.ipynb
    nbformat.write(book, path)
    return path


@pytest.mark.skipif(not shutil.which("strace"), reason="no strace on this machine")
def test_a_traced_notebook_counts_its_kernel_and_program_and_the_report_shows_cpu_and_busy(tmp_path):
    cell = f"import subprocess\nsubprocess.run({burner(0.2)!r}, check=True, timeout=60)\n"
    row = nbprofile.profile(notebook(tmp_path, cell), tmp_path, nbprofile.tracer())
    assert row["passed"] and row["cpu"] > 0.2, row
    assert row["started"].get("kernel") == 1 and row["started"].get("python", 0) >= 1, row
    text = nbprofile.report({"load_1m": 0.0, "load_1m_end": 0.0, "traced": True, "notebooks": {"burn": row}})
    line = next(line for line in text.splitlines() if line.strip().startswith("burn "))
    assert line.split()[1:4] == [f"{row['seconds']:.1f}", f"{row['cpu']:.1f}", f"{row['cpu'] / row['seconds']:.2f}"], text


def test_a_stopped_row_reads_na_and_the_total_counts_only_measured_rows():
    rows = {"a": {"seconds": 10.0, "cpu": 5.0, "passed": True, "note": ""},
            "b": {"seconds": 20.0, "cpu": None, "passed": False, "note": "stopped after 720 s"}}
    text = nbprofile.report({"load_1m": 0.0, "load_1m_end": 0.0, "traced": False, "notebooks": rows})
    lines = {line.split()[0]: line.split() for line in text.splitlines()[2:]}
    assert lines["b"][1:4] == ["20.0", "n/a", "n/a"] and lines["a"][1:4] == ["10.0", "5.0", "0.50"], text
    assert lines["total"][1:4] == ["30.0", "5.0", "0.50"], text


def fake_strace(folder, stderr: str):
    path = folder / "strace"
    path.write_text(f"#!/bin/sh\necho '{stderr}' >&2\nexit 0\n")
    path.chmod(0o755)
    return str(path)


def test_seccomp_flag_only_where_strace_sets_the_filter_up(tmp_path, monkeypatch):
    assert nbprofile.seccomp_flag(fake_strace(tmp_path, "")) == ["--seccomp-bpf"]
    assert nbprofile.seccomp_flag(fake_strace(tmp_path, "strace: seccomp filter is requested but unavailable")) == []
    assert nbprofile.seccomp_flag(sys.executable) == []  # python rejects the options
    assert nbprofile.seccomp_flag("/no/such/strace") == []
    monkeypatch.setattr(nbprofile.shutil, "which", lambda name: fake_strace(tmp_path, ""))
    assert nbprofile.tracer() == [str(tmp_path / "strace"), "--seccomp-bpf"]
    monkeypatch.setattr(nbprofile.shutil, "which", lambda name: None)
    assert nbprofile.tracer() is None
