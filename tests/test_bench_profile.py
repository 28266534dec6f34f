"""bench/nbprofile.py (`python -m bench notebook-profile`): a notebook's row holds the CPU of its
whole process tree and, under strace, the programs it started."""

import os
import shutil
import sys

import nbformat
import pytest

from bench import nbprofile

# a cell that starts one Python program burning 0.5 s of CPU (thread CPU time, not wall)
BURN = ("import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', 'import time\\nt = time.thread_time()\\n"
        "while time.thread_time() - t < 0.5:\\n    pass'], check=True, timeout=60)\n")


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


def test_a_rows_cpu_holds_what_the_programs_its_kernel_started_burned(tmp_path):
    plain = nbprofile.profile(notebook(tmp_path / "plain", "1 + 1\n"), tmp_path / "plain", None)
    burn = nbprofile.profile(notebook(tmp_path / "burn", BURN), tmp_path / "burn", None)
    assert plain["passed"] and burn["passed"], (plain, burn)
    assert "started" not in burn  # no tracer: nothing counted
    # the kernel's program (a great-grandchild of this process) burned 0.5 s; the rest is the same
    # start-up on both sides, whose own CPU varies by about 0.1 s
    assert burn["cpu"] - plain["cpu"] >= 0.3, (plain, burn)
    assert burn["cpu"] <= burn["seconds"] * (os.cpu_count() or 1) + 1, burn


@pytest.mark.skipif(not shutil.which("strace"), reason="no strace on this machine")
def test_under_strace_a_row_counts_the_kernel_and_the_program_and_the_report_shows_cpu_and_busy(tmp_path):
    strace = shutil.which("strace")
    row = nbprofile.profile(notebook(tmp_path, BURN), tmp_path, [strace, *nbprofile.seccomp_flag(strace)])
    assert row["passed"] and row["cpu"] >= 0.5, row
    assert row["started"].get("kernel") == 1 and row["started"].get("python", 0) >= 1, row
    text = nbprofile.report({"load_1m": 0.0, "load_1m_end": 0.0, "traced": True, "notebooks": {"burn": row}})
    line = next(line for line in text.splitlines() if line.strip().startswith("burn "))
    assert line.split()[1:4] == [f"{row['seconds']:.1f}", f"{row['cpu']}", f"{row['cpu'] / row['seconds']:.2f}"], text


def test_seccomp_flag_is_empty_for_a_program_that_is_not_strace():
    assert nbprofile.seccomp_flag(sys.executable) == []  # python rejects the options: no flag
    assert nbprofile.seccomp_flag("/no/such/strace") == []
