"""``kb matrix``'s runs: each notebook and guard file of one set as its own pytest in the set's
venv, N at a time, each bounded by ``--timeout``; an outcome and one error line from each."""

import os
import re
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from .matrix_results import Outcome, SetRecord
from .signature import plain
from .soak import EXCEPTION_LINE, stop_tree, summary


def run_set(record: SetRecord, root: Path, folder: Path, entries: list[str], jobs: int,
            timeout: float, rerun: int = 0) -> None:
    """Each entry's notebook and guard file in the set's venv; fills ``record.entries``.

    ``rerun``: a run that failed (not one that timed out) runs again up to that many times; one
    that then passes is "passed" with ``flaky`` holding the first error, and its first log is
    kept as ``<entry>.<kind>.first.log``."""
    venv = folder / "venv"
    env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
    if not compile_sources(venv / "bin" / "python", root, env):
        print(f"[{record.name}] bytecode of harness/ and kb/ not written: each process compiles them", flush=True)
    reports = folder / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    tasks = []
    for entry_id in entries:
        guard = root / "tests" / "guards" / f"test_{entry_id.replace('-', '_')}.py"
        tasks.append((entry_id, "notebook", ["--nbmake", f"notebooks/{entry_id}.ipynb",
                                              f"--nbmake-timeout={int(timeout)}"]))
        tasks.append((entry_id, "guard", [str(guard.relative_to(root))] if guard.exists() else None))
    record.entries = {entry_id: {} for entry_id in entries}
    pool = ThreadPoolExecutor(max_workers=jobs)
    futures = {pool.submit(run_with_reruns, venv, root, reports / f"{entry_id}.{kind}", argv, timeout, env, rerun):
               (entry_id, kind) for entry_id, kind, argv in tasks}
    try:
        for future in as_completed(futures):
            entry_id, kind = futures[future]
            outcome = future.result()
            record.entries[entry_id][kind] = outcome
            error = f": {outcome.error}" if outcome.error else ""
            if outcome.flaky:
                error = f" on a re-run (FLAKY: the first run failed: {outcome.flaky})"
            print(f"[{record.name}] {entry_id} {kind} {outcome.status} in {outcome.seconds:.1f} s{error}",
                  flush=True)
    except BaseException:  # Ctrl-C, SIGTERM: no pytest, kernel or server outlives the run
        pool.shutdown(wait=False, cancel_futures=True)
        stop_running()
        raise
    pool.shutdown()


def compile_sources(python: Path, root: Path, env: dict | None = None) -> bool:
    """Write the bytecode of ``root``'s harness and kb for ``python``, once, before a set runs.

    Every process of a run has PYTHONDONTWRITEBYTECODE (``harness.servers.child_env``), so each
    kernel, Daphne and nested pytest would compile them again (make's ``bytecode`` target does
    this for the project's own venv). checked-hash: an import checks the source's hash, so an
    edited file is never served stale. Best effort: False if it could not (no such interpreter,
    no harness/ or kb/ in ``root``, a file that does not compile: the runs that import it then
    fail with its own error)."""
    if not all((root / package).is_dir() for package in ("harness", "kb")):
        return False
    try:
        done = subprocess.run([str(python), "-m", "compileall", "-q", "--invalidation-mode", "checked-hash",
                               "harness", "kb"], cwd=root, env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


#: pytest processes running now (stopped, with their kernels and servers, on Ctrl-C/SIGTERM)
RUNNING: set = set()
STOPPING = threading.Event()


def run_with_reruns(venv: Path, root: Path, stem: Path, argv: list[str] | None, timeout: float,
                    env: dict, rerun: int) -> Outcome:
    first_log = stem.with_suffix(stem.suffix + ".first.log")
    first_log.unlink(missing_ok=True)
    outcome = run_one(venv, root, stem, argv, timeout, env)
    first = outcome
    for _ in range(rerun):
        if outcome.status != "failed" or argv is None or STOPPING.is_set():
            break
        log = stem.with_suffix(stem.suffix + ".log")
        if log.is_file() and not first_log.exists():
            log.replace(first_log)
        outcome = run_one(venv, root, stem, argv, timeout, env)
    if outcome.status == "passed" and first.status != "passed":
        outcome.flaky = first.error or first.status
    return outcome


def run_one(venv: Path, root: Path, stem: Path, argv: list[str] | None, timeout: float,
            env: dict) -> Outcome:
    if argv is None:
        return Outcome("missing", 0.0, "no guard test file")
    if STOPPING.is_set():
        return Outcome("failed", 0.0, "interrupted")
    report, log = stem.with_suffix(stem.suffix + ".xml"), stem.with_suffix(stem.suffix + ".log")
    report.unlink(missing_ok=True)
    command = [str(venv / "bin" / "python"), "-m", "pytest", *argv, "-p", "no:cacheprovider",
               "-q", "--color=no", f"--junitxml={report}"]
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        RUNNING.add(proc)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_tree(proc)
            code = None
        finally:
            RUNNING.discard(proc)
    seconds = round(time.monotonic() - started, 1)
    if code is None:
        return Outcome("timeout", seconds, f"stopped after {timeout:.0f} s (--timeout)")
    cases, failure = read_report(report, notebook=argv[0] == "--nbmake")
    if failure:
        return Outcome("failed", seconds, failure)
    if code != 0 or not cases:
        return Outcome("failed", seconds, run_error(log.read_text(errors="replace")) or f"pytest exited with {code}")
    return Outcome("passed", seconds)


def read_report(report: Path, notebook: bool) -> tuple[int, str]:
    """(test cases in a JUnit report, the first failure's line or "")."""
    try:
        cases = list(ET.parse(report).getroot().iter("testcase"))
    except (OSError, ET.ParseError):
        return 0, ""
    for case in cases:
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            return len(cases), failure_line(problem.text or problem.get("message") or "", notebook)
    return len(cases), ""


UNTOLD = re.compile(r"^[\w.]+:?$|^[\w.]+: [.FEsx]+ *\[ *\d+%\]$")  #: no message, or pytest's progress


def failure_line(text: str, notebook: bool) -> str:
    """One line for a failure report: a guard's first ``E   `` exception line; a notebook
    cell's exception line, with the failing code line when its message says nothing."""
    lines = [line.strip() for line in plain(text).splitlines()]
    if not notebook:
        for line in (line[1:].strip() for line in lines if line.startswith("E ")):
            if EXCEPTION_LINE.match(line) or re.match(r"[A-Za-z_][\w.]*: ", line):
                return " ".join(line.split())[:240]
    line = summary(text)
    arrows = [line for line in lines if re.match(r"-+> ", line)]
    if UNTOLD.match(line) and arrows:
        code = re.sub(r"^-+>\s*\d+\s*", "", arrows[-1])
        line = f"{line.rstrip(':')} at `{' '.join(code.split())}`"
    return line[:240]


def stop_running() -> None:
    """Stop every pytest still running (each with its kernel and servers)."""
    STOPPING.set()
    for proc in list(RUNNING):
        stop_tree(proc, grace=10.0)


def run_error(log: str) -> str:
    """The line that says why a pytest run produced no result: an exception line or an error
    message (not the usage banner), else the last line."""
    lines = [" ".join(line.split()) for line in log.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("ERROR: usage:"):
            continue
        if EXCEPTION_LINE.match(line.removeprefix("E ")) or "error: " in line.lower():
            return line[:240]
    return lines[-1][:240] if lines else ""


def failed_log_tails(build: Path, records, lines: int = 60) -> list[str]:
    """For each notebook or guard run that did not pass (or passed only on a re-run): a header and the last ``lines`` lines
    of its pytest log (the failing cell's output, which one error line cannot show)."""
    out = []
    for record in records:
        for entry_id, kinds in record.entries.items():
            for kind, outcome in kinds.items():
                stem = build / "matrix" / record.name / "reports" / f"{entry_id}.{kind}"
                log = stem.with_suffix(stem.suffix + (".first.log" if outcome.flaky else ".log"))
                if (outcome.status not in ("failed", "timeout") and not outcome.flaky) or not log.is_file():
                    continue
                tail = log.read_text(errors="replace").splitlines()[-lines:]
                status = "FLAKY (failed, then passed on a re-run)" if outcome.flaky else outcome.status
                out += [f"--- [{record.name}] {entry_id} {kind} {status}: the last {len(tail)} lines of {log}",
                        *tail]
    return out

