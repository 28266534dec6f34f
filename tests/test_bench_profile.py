"""bench/nbprofile.py (`python -m bench notebook-profile`): a notebook's row holds the CPU of its
reaped process tree and, under strace, the programs it started."""

import contextlib
import os
import re
import shutil
import signal
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

    releaser = threading.Thread(target=reap_then_release, daemon=True)
    releaser.start()
    # the measured child starts a grandchild burning 0.6 s, waits for it, then for the stray's reaping
    child = [sys.executable, "-c", f"import subprocess; subprocess.run({burner(0.6)!r}, check=True); "
                                   f"open({str(fifo)!r}).read()"]
    try:
        seconds, cpu, status = nbprofile.run_measured(child, tmp_path, 60.0, tmp_path / "out.txt")
    finally:
        stray.kill()  # a no-op once it has been reaped
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))  # a writer still waiting for a reader goes on
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


def test_run_measured_past_its_timeout_kills_the_tree_even_a_session_of_its_own(tmp_path):
    """As a Jupyter kernel is: a grandchild in a session of its own, with a child of its own."""
    marker = tmp_path / "pids"
    (tmp_path / "sleeper.py").write_text("import time\ntime.sleep(120)\n")
    (tmp_path / "kernel.py").write_text(  # in a session of its own, with a child of its own
        "import subprocess, sys, time\n"
        f"c = subprocess.Popen([sys.executable, {str(tmp_path / 'sleeper.py')!r}])\n"
        f"open({str(marker)!r}, 'a').write(str(c.pid) + ' ')\ntime.sleep(120)\n")
    (tmp_path / "child.py").write_text(
        "import subprocess, sys, time\n"
        f"k = subprocess.Popen([sys.executable, {str(tmp_path / 'kernel.py')!r}], start_new_session=True)\n"
        f"open({str(marker)!r}, 'a').write(str(k.pid) + ' ')\ntime.sleep(120)\n")
    child = [sys.executable, str(tmp_path / "child.py")]
    deadline = time.monotonic() + 30
    pids = []
    try:
        seconds, cpu, status = nbprofile.run_measured(child, tmp_path, 5.0, tmp_path / "out.txt")
        assert cpu is None and status is None and 5.0 <= seconds < 30, (seconds, cpu, status)
        pids = [int(pid) for pid in marker.read_text().split()]
        assert len(pids) == 2, (pids, (tmp_path / "out.txt").read_text())
        while not all(map(gone_or_zombie, pids)) and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the process table, bounded by the deadline
        assert all(map(gone_or_zombie, pids)), pids
    finally:
        for pid in pids or [int(p) for p in marker.read_text().split()] if marker.exists() else []:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


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
    assert lines["total"][1:4] == ["30.0", "5.0", "0.50"] and "(cpu and busy: the 1 measured rows)" in text, text
    none = nbprofile.report({"load_1m": 0.0, "load_1m_end": 0.0, "traced": False, "notebooks": {"b": rows["b"]}})
    assert none.splitlines()[-1].split()[1:4] == ["20.0", "n/a", "n/a"], none


def fake_strace(folder, stderr: str = "", status: int = 0, refuses_seccomp: str = ""):
    path = folder / "strace"
    path.write_text("#!/bin/sh\n"
                    + (f'case "$*" in *--seccomp-bpf*) echo "{refuses_seccomp}" >&2; exit 0;; esac\n' if refuses_seccomp else "")
                    + (f"echo '{stderr}' >&2\n" if stderr else "") + f"exit {status}\n")
    path.chmod(0o755)
    return str(path)


def test_the_tracer_uses_seccomp_only_where_strace_sets_it_up_and_no_strace_where_it_cannot_trace(tmp_path, monkeypatch):
    found = {}
    monkeypatch.setattr(nbprofile.shutil, "which", lambda name: found.get("strace"))
    assert nbprofile.tracer() is None
    found["strace"] = fake_strace(tmp_path)
    assert nbprofile.tracer() == [found["strace"], "--seccomp-bpf"]
    found["strace"] = fake_strace(tmp_path, refuses_seccomp="strace: --seccomp-bpf cannot be used, disabling")
    assert nbprofile.tracer() == [found["strace"]]
    found["strace"] = fake_strace(tmp_path, stderr="strace: ptrace(PTRACE_TRACEME): Operation not permitted", status=1)
    assert nbprofile.tracer() is None
    found["strace"] = sys.executable  # not an strace: it rejects the options
    assert nbprofile.tracer() is None
    found["strace"] = "/no/such/strace"
    assert nbprofile.tracer() is None


@pytest.mark.skipif(not shutil.which("strace"), reason="no strace on this machine")
def test_this_machines_strace_gets_seccomp_where_it_is_5_3_or_later():
    version = subprocess.run([shutil.which("strace"), "-V"], capture_output=True, text=True, timeout=30).stdout
    major, minor = map(int, re.search(r"version (\d+)\.(\d+)", version).groups())
    tracer = nbprofile.tracer()
    if tracer is not None and (major, minor) >= (5, 3):
        assert tracer[1:] == ["--seccomp-bpf"], (version, tracer)
