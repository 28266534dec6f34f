"""Where each notebook's time goes: seconds, programs it starts, and its slowest cell.

Each notebook runs once, serially, the way ``kb run`` runs it (papermill, which records every
cell's start, end and duration in the executed copy's metadata), under
``strace -f -e trace=execve`` so every program the kernel and its children start is counted
(a nested ``pytest``, a ``daphne``, ``redis-server``, ``postgres``, a ``uv``/``pip`` venv
build, any other interpreter). Each start is put in the cell that was running at its time,
so the table names the slowest cell and what it started. Without ``strace`` (or where ptrace
is not allowed) the counts read "n/a" and only the times are shown. strace stops the tree only
at ``execve`` where it can (``--seccomp-bpf``, strace >= 5.3), so tracing costs little CPU.

``cpu`` is the CPU time (user + system) of the run's process tree as far as it was reaped:
``os.wait4`` of the profiled child gives its own time plus that of every descendant each parent
waited for (the kernel, nested sessions, servers the harness stops through ``process.stop``,
venv builds; under strace, strace's own share too: small with ``--seccomp-bpf``, about twice the
tree without it). Not counted: a program whose parent never waited for it (orphaned,
double-forked, or killed by group after its leader had exited). A run stopped at its limit has
its whole tree stopped (``kb.soak.stop_tree``) and no ``cpu`` ("n/a"). Against the wall time, ``busy`` says what
dominates: near 1 or above (a notebook on 2 cores can exceed 1) is work; far below 1 is waiting
(timeouts a proof waits out, servers starting) or, under a high ``load_1m``, waiting for a CPU.

``KB_BENCH_NOTEBOOKS="id id"`` limits the run to those notebooks. Absolute seconds depend on
the machine's load (``load_1m``, at the start); counts do not. A notebook that fails here is
marked FAILED with its first error line, and its counts stop at the failure (on a loaded
2-core machine, seven of 21 failed on server start-up deadlines with the tracer attached).
"""

import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from kb.soak import stop_tree

SECTION = "notebook-profile"
REPO = Path(__file__).resolve().parent.parent
KINDS = ("kernel", "pytest", "daphne", "redis", "postgres", "venv", "python", "other")
MARGIN_S = 120.0  # past the notebook's own limit (its metadata's execution.timeout): stopped
STOP_GRACE_S = 10.0  # a stopped run's Ctrl-C: how long its tree may take to end before SIGKILL
EXECVE = re.compile(r'^(\d+)\s+([\d.]+)\s+execve\("([^"]*)", \[(.*?)\]')


def run() -> dict:
    wanted = os.environ.get("KB_BENCH_NOTEBOOKS", "").split()
    notebooks = sorted(p for p in (REPO / "notebooks").glob("*.ipynb")
                       if not wanted or p.stem in wanted)
    strace = tracer()
    result = {"load_1m": round(os.getloadavg()[0], 2), "traced": bool(strace),
              "seccomp": bool(strace) and "--seccomp-bpf" in strace, "notebooks": {}}
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        for path in notebooks:
            result["notebooks"][path.stem] = profile(path, Path(tmp), strace)
    result["load_1m_end"] = round(os.getloadavg()[0], 2)
    return result


def tracer() -> list[str] | None:
    """strace's argv prefix (with ``--seccomp-bpf`` where it works), or None without an strace
    that can trace here (none installed, or ptrace refused)."""
    strace = shutil.which("strace")
    if not strace or not _probe(strace, []):
        return None
    return [strace, "--seccomp-bpf"] if _probe(strace, ["--seccomp-bpf"]) else [strace]


def _probe(strace: str, flags: list[str]) -> bool:
    """Whether ``strace flags`` traces ``true``'s execve cleanly: exit 0 and nothing on stderr
    (an strace that accepts ``--seccomp-bpf`` but cannot use it says so there and goes on
    stopping every system call)."""
    try:
        probe = subprocess.run([strace, "-f", *flags, "-e", "trace=execve", "-o", os.devnull, "true"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and not probe.stderr.strip()


def run_measured(command: list[str], cwd: Path, timeout: float, output: Path) -> tuple[float, float | None, int | None]:
    """Run ``command`` in a session of its own, stdout and stderr to ``output``; ``(wall seconds,
    CPU seconds of its reaped tree, exit status)``. Past ``timeout`` (or on an exception here,
    Ctrl-C included, then re-raised) its whole tree is stopped (``kb.soak.stop_tree``: Ctrl-C to
    its group, then SIGKILL to every descendant left, a kernel in a session of its own included)
    and the CPU and status are None (the stopped tree's CPU was not reaped up to here)."""
    started = time.perf_counter()
    with open(output, "wb") as sink:
        proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT,
                                start_new_session=True)
    fd = None
    try:
        fd = os.pidfd_open(proc.pid)
        if select.select([fd], [], [], timeout)[0]:  # the child exited: reap it with its rusage
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, proc.returncode
        stop_tree(proc, grace=STOP_GRACE_S)
        return time.perf_counter() - started, None, None
    except BaseException:
        if proc.returncode is None:
            stop_tree(proc, grace=STOP_GRACE_S)
        raise
    finally:
        if fd is not None:
            os.close(fd)


def profile(notebook: Path, tmp: Path, strace: list[str] | None) -> dict:
    """Run one notebook (papermill, under strace when there is one: its argv); its row of the table."""
    from kb.run import notebook_timeout

    output, log = tmp / f"{notebook.stem}.ipynb", tmp / f"{notebook.stem}.strace"
    limit = notebook_timeout(notebook)
    code = ("import sys; from pathlib import Path; from kb.run import execute; "
            "r = execute(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), {}, float(sys.argv[4])); "
            "print(r.status, r.error); sys.exit(r.status != 'passed')")
    command = [sys.executable, "-c", code, notebook.stem, str(notebook), str(output), str(limit)]
    if strace:
        command = [*strace, "-f", "-qq", "-ttt", "-s", "160", "-e", "trace=execve",
                   "-e", "status=successful", "-e", "signal=none", "-o", str(log), *command]
    printed = tmp / f"{notebook.stem}.out"
    seconds, cpu, status = run_measured(command, REPO, limit + MARGIN_S, printed)
    if status is None:
        passed, note = False, f"stopped after {limit + MARGIN_S:.0f} s"
    else:
        text = printed.read_text(encoding="utf-8", errors="replace")
        passed, note = status == 0, text.strip()[-300:]
    seconds, cpu = round(seconds, 1), None if cpu is None else round(cpu, 1)
    cells = cell_times(output)
    starts = read_starts(log) if strace and log.exists() else None
    row = {"seconds": seconds, "cpu": cpu, "passed": passed, "note": "" if passed else note,
           "cells": len(cells), "kernel_and_overhead_s": round(seconds - sum(c["s"] for c in cells), 1)}
    if starts is not None:
        row["started"] = count(s["kind"] for s in starts)
        for cell in cells:
            cell["started"] = count(s["kind"] for s in starts if cell["t0"] <= s["t"] < cell["t1"])
    slowest = max(cells, key=lambda c: c["s"], default=None)
    if slowest:
        row["slowest_cell"] = {k: v for k, v in slowest.items() if k not in ("t0", "t1")}
    return row


def cell_times(executed: Path) -> list[dict]:
    """Per code cell: index, seconds, first source line, start and end (epoch seconds)."""
    if not executed.exists():
        return []
    cells = []
    for index, cell in enumerate(json.loads(executed.read_text(encoding="utf-8"))["cells"]):
        meta = cell.get("metadata", {}).get("papermill", {})
        if cell["cell_type"] != "code" or not meta.get("start_time") or not meta.get("end_time"):
            continue
        source = "".join(cell["source"]).strip().splitlines()
        first = next((line for line in source if line.strip() and not line.startswith("#")),
                     source[0] if source else "")
        cells.append({"index": index, "s": round(meta.get("duration") or 0.0, 1),
                      "source": first[:70], "t0": epoch(meta["start_time"]), "t1": epoch(meta["end_time"])})
    return cells


def epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def read_starts(log: Path) -> list[dict]:
    """Every successful execve the traced tree made, with its time and kind (see ``kind``)."""
    starts = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        match = EXECVE.match(line)
        if match:
            argv = re.findall(r'"((?:[^"\\]|\\.)*)"', match.group(4))
            starts.append({"t": float(match.group(2)), "kind": kind(match.group(3), argv)})
    return starts[1:]  # the first is the traced interpreter itself


def kind(program: str, argv: list[str]) -> str:
    name, line = Path(program).name, " ".join(argv)
    if name.startswith("redis-server"):
        return "redis"
    if name in ("postgres", "initdb", "pg_ctl", "createdb", "psql"):
        return "postgres"
    if name in ("uv", "pip") or " -m venv" in line or " -m pip" in line or "virtualenv" in line:
        return "venv"
    if name.startswith("python"):
        if "ipykernel" in line:
            return "kernel"
        if "daphne" in line or "run_daphne" in line:
            return "daphne"
        if "pytest" in line:
            return "pytest"
        return "python"
    if name == "daphne":
        return "daphne"
    if name in ("pytest", "py.test"):
        return "pytest"
    return "other"


def count(kinds) -> dict:
    totals = dict.fromkeys(KINDS, 0)
    for k in kinds:
        totals[k] += 1
    return {k: v for k, v in totals.items() if v}


def started_text(started: dict | None) -> str:
    if started is None:
        return "n/a"
    return " ".join(f"{n} {k}" for k, n in started.items()) or "none"


def report(result: dict) -> str:
    rows = result["notebooks"]
    lines = [f"notebook profile: {len(rows)} notebook(s), serial, papermill; 1-minute load "
             f"average {result['load_1m']} at start, {result.get('load_1m_end')} at end"
             + (("; traced, strace stopping at execve only" if result.get("seccomp") else
                 "; traced, strace stopping at every system call (cpu includes more of strace's share)")
                if result["traced"] else "; no strace: programs started not counted")]
    lines.append(f"  {'notebook':<26}{'s':>7} {'cpu':>6} {'busy':>5}  {'started (programs, whole notebook)':<48} "
                 "slowest cell: s, what it started, its first line")
    for name, row in sorted(rows.items(), key=lambda kv: -kv[1]["seconds"]):
        cell = row.get("slowest_cell") or {}
        where = (f"[{cell.get('index')}] {cell.get('s')} s, {started_text(cell.get('started'))}: "
                 f"{cell.get('source', '')}") if cell else "(no cell ran)"
        status = "" if row["passed"] else "  FAILED " + row["note"].splitlines()[-1][:80]
        cpu = row.get("cpu")
        busy = f"{cpu / row['seconds']:.2f}" if cpu is not None and row["seconds"] else "n/a"
        lines.append(f"  {name:<26}{row['seconds']:>7.1f} {'n/a' if cpu is None else f'{cpu:.1f}':>6} {busy:>5}  "
                     f"{started_text(row.get('started')):<48} {where}{status}")
    total = sum(r["seconds"] for r in rows.values())
    measured = [r for r in rows.values() if r.get("cpu") is not None]  # a stopped run has none
    total_cpu = sum(r["cpu"] for r in measured)
    measured_s = sum(r["seconds"] for r in measured)
    totals = count(k for r in rows.values() for k, n in (r.get("started") or {}).items()
                   for _ in range(n))
    cpu_text = f"{total_cpu:.1f}" if measured else "n/a"
    busy_text = f"{total_cpu / measured_s:.2f}" if measured_s else "n/a"
    partial = "" if len(measured) == len(rows) else f"  (cpu and busy: the {len(measured)} measured rows)"
    lines.append(f"  {'total':<26}{total:>7.1f} {cpu_text:>6} {busy_text:>5}  "
                 f"{started_text(totals) if result['traced'] else 'n/a'}{partial}")
    return "\n".join(lines)
