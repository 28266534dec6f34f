"""Run the notebook suite many times and count the failures of each notebook (flake hunting).

Each run is a fresh `python -m pytest --nbmake NOTEBOOKS -n JOBS` (nbmake, pytest-xdist),
bounded by --run-timeout; its JUnit XML and output go to build/soak/. A line is printed per
run; at the end a table: each notebook's runs, failures, mean and slowest seconds and its
first failure line, then the total. Unless --no-fuzz, the fuzz tests (tests/test_fuzz.py)
then run once under the Hypothesis `soak` profile (500 examples per test).

Exit status: 0 no failure, 1 any failure (a notebook, a run that did not finish, the fuzz
tests), 2 bad usage or nothing to run.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from . import REPO, roots, table
from .signature import plain


def add_arguments(parser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID",
                        help="notebooks to soak (default: every notebook)")
    parser.add_argument("--runs", type=int, default=10, metavar="N",
                        help="times to run the suite (default: 10)")
    parser.add_argument("-n", "--jobs", type=int, default=2, metavar="N",
                        help="pytest-xdist workers per run (default: 2)")
    parser.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                        help="--nbmake-timeout: per cell, for notebooks whose metadata sets none "
                             "(default: 600)")
    parser.add_argument("--run-timeout", type=float, default=3600, metavar="SECONDS",
                        help="limit for one whole run; then it is stopped and counted as failed "
                             "(default: 3600)")
    parser.add_argument("--no-fuzz", action="store_true",
                        help="skip the fuzz tests under the Hypothesis soak profile")
    parser.add_argument("--root", type=Path, default=REPO,
                        help="the knowledge base (the folder holding notebooks/)")
    parser.add_argument("--build", type=Path, default=None, metavar="DIR",
                        help="output folder (default: ROOT/build/soak)")


@dataclass
class Tally:
    """One notebook (or test) across the runs."""

    runs: int = 0
    failures: int = 0
    seconds: list[float] = field(default_factory=list)
    first_failure: str = ""

    def add(self, seconds: float, failure: str | None) -> None:
        self.runs += 1
        self.seconds.append(seconds)
        if failure is not None:
            self.failures += 1
            self.first_failure = self.first_failure or failure


@dataclass
class RunOutcome:
    """One pytest run: per test case (seconds, failure line or None), and a problem with the
    run itself ("" if it finished and wrote its report)."""

    cases: dict[str, tuple[float, str | None]]
    problem: str
    seconds: float


def run(args) -> int:
    root = args.root.resolve()
    # never into an installed package (kb.roots): an installed knowledge base soaks in ./build
    build = (args.build or (Path.cwd() if roots.installed(root) else root) / "build" / "soak").resolve()
    if args.runs < 1 or args.jobs < 0:
        print("kb soak: --runs must be 1 or more and -n 0 or more", file=sys.stderr)
        return 2
    notebooks = select(root, args.ids)
    if isinstance(notebooks, str):
        print(f"kb soak: {notebooks}", file=sys.stderr)
        return 2
    build.mkdir(parents=True, exist_ok=True)
    tallies: dict[str, Tally] = {path.stem: Tally() for path in notebooks}
    broken_runs: list[str] = []
    for number in range(1, args.runs + 1):
        report = build / f"run-{number:02d}.xml"
        command = [sys.executable, "-m", "pytest", "--nbmake", *map(str, notebooks),
                   "-n", str(args.jobs), "-p", "no:cacheprovider", "-p", "no:randomly",
                   f"--nbmake-timeout={args.timeout}", f"--junitxml={report}", "-q"]
        outcome = run_once(command, root, report, build / f"run-{number:02d}.log", args.run_timeout)
        for name, (seconds, failure) in outcome.cases.items():
            tallies.setdefault(name.removesuffix(".ipynb"), Tally()).add(seconds, failure)
        failed = sum(1 for _, failure in outcome.cases.values() if failure is not None)
        if outcome.problem:
            broken_runs.append(f"run {number}: {outcome.problem}")
        print(f"run {number}/{args.runs}: {len(outcome.cases) - failed} passed, {failed} failed"
              f" in {outcome.seconds:.1f} s{'; ' + outcome.problem if outcome.problem else ''}",
              flush=True)
    print()
    print(format_table(tallies, args.runs))
    for line in broken_runs:
        print(f"  {line}")
    failures = sum(t.failures for t in tallies.values())
    total = failures + len(broken_runs)
    broken = f" and {len(broken_runs)} run(s) that did not finish" if broken_runs else ""
    print(f"total: {failures} failure(s){broken} in {args.runs} run(s) of {len(notebooks)} "
          f"notebook(s); reports in {build}")
    if not args.no_fuzz:
        total += run_fuzz(root, build, args.run_timeout)
    return 1 if total else 0


def select(root: Path, ids: list[str]) -> list[Path] | str:
    """The notebooks to run, or a one-line reason why there are none."""
    folder = root / "notebooks"
    available = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
    if not available:
        return f"no notebooks in {folder}"
    unknown = [i for i in ids if i not in available]
    if unknown:
        return f"unknown notebook(s): {', '.join(unknown)}"
    return [available[i] for i in ids] if ids else list(available.values())


def run_once(command: list[str], cwd: Path, report: Path, log: Path, limit: float,
             env: dict | None = None) -> RunOutcome:
    """Run ``command`` (a pytest writing JUnit XML to ``report``) within ``limit`` seconds."""
    report.unlink(missing_ok=True)
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        try:
            code = proc.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            stop_tree(proc)
            code = None
    seconds = time.monotonic() - started
    cases = parse_junit(report) if report.exists() else {}
    if code is None:
        problem = f"stopped after {limit:.0f} s (--run-timeout)"
    elif code not in (0, 1):
        problem = f"pytest exited with {code}; see {log}"
    elif not report.exists():
        problem = f"no report written; see {log}"
    else:
        problem = ""
    return RunOutcome(cases, problem, seconds)


def stop_tree(proc: subprocess.Popen, grace: float = 30.0) -> None:
    """Stop a run that overran: Ctrl-C first (pytest tears down, nbclient shuts kernels
    down, servers stop), then SIGKILL whatever of its process tree is left. Kernels live in
    sessions of their own, so the tree is taken from the parent links, not the group."""
    import psutil

    try:
        tree = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        tree = []
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)
    _, alive = psutil.wait_procs(tree, timeout=0)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)


def parse_junit(path: Path) -> dict[str, tuple[float, str | None]]:
    """Test case name -> (seconds, None if it passed, else its failure's one-line summary)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return {}
    cases = {}
    for case in root.iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if case.find("skipped") is not None and problem is None:
            continue
        # The element's text is the whole report; pytest may cut the message attribute short.
        failure = None if problem is None else summary(problem.text or problem.get("message") or "")
        cases[case.get("name", "?")] = (float(case.get("time") or 0.0), failure)
    return cases


EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Interrupt|Exit)\b")


def summary(message: str) -> str:
    """One line of a failure report: the exception line that follows the cell's traceback
    (its message may go on for many lines), else the last line; a cell timeout says so on its
    first line."""
    lines = [line.strip() for line in plain(message).splitlines()]
    lines = [line for line in lines if line and set(line) != {"-"}]
    if not lines:
        return "failed"
    if lines[0].startswith("A cell timed out"):
        return lines[0]
    start = next((i for i, line in enumerate(lines) if "Traceback (most recent call last)" in line), None)
    if start is not None:
        found = next((line for line in lines[start + 1:] if EXCEPTION_LINE.match(line)), None)
        if found:
            return " ".join(found.split())[:160]
    return " ".join(lines[-1].split())[:160]


def format_table(tallies: dict[str, Tally], runs: int) -> str:
    rows = []
    for name, t in sorted(tallies.items()):
        mean = sum(t.seconds) / len(t.seconds) if t.seconds else 0.0
        slowest = max(t.seconds, default=0.0)
        rows.append([name, f"{t.runs}/{runs}", str(t.failures), f"{mean:.1f}", f"{slowest:.1f}",
                     t.first_failure or "-"])
    return table.render(["notebook", "ran", "failed", "mean s", "max s", "first failure"], rows)


def run_fuzz(root: Path, build: Path, limit: float) -> int:
    """tests/test_fuzz.py once under the soak profile; returns its failures (+1 if the run
    itself broke)."""
    report = build / "fuzz.xml"
    command = [sys.executable, "-m", "pytest", "tests/test_fuzz.py", "-p", "no:cacheprovider",
               f"--junitxml={report}", "-q"]
    env = {**os.environ, "HYPOTHESIS_PROFILE": "soak"}
    outcome = run_once(command, root, report, build / "fuzz.log", limit, env=env)
    failed = {name: f for name, (_, f) in outcome.cases.items() if f is not None}
    print(f"fuzz (Hypothesis soak profile): {len(outcome.cases) - len(failed)} passed, "
          f"{len(failed)} failed in {outcome.seconds:.1f} s"
          f"{'; ' + outcome.problem if outcome.problem else ''}")
    for name, line in failed.items():
        print(f"  {name}: {line}")
    return len(failed) + bool(outcome.problem)
