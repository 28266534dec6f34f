"""Run every notebook and guard test on each named version set (versions/sets.yaml).

For each set: a virtualenv under build/matrix/<set>/venv made with uv (`uv venv --seed
--python`, `uv pip install -r versions/<file>`, then this project with `--no-deps -e .`),
reused while its inputs (interpreter, requirement files, pyproject.toml) are unchanged. Then each
notebook (pytest --nbmake) and each guard test file (tests/guards/) runs in that venv as
its own pytest, N at a time, each bounded by --timeout. A line is printed as each install
and each run finishes; at the end a table entry x set, and build/matrix.json (per set: the
interpreter, the installed versions, per entry the notebook's and the guard's status,
seconds and first error line; sets and entries a run leaves out keep their last outcome).
A set whose interpreter is missing is "skipped: <reason>"; one that cannot install gets one
line and the other sets still run. Ctrl-C or SIGTERM stops every run it started (exit 130).

--expect FILE (JSON: entry -> set -> {"notebook"|"guard": substring of the error}) lists
known failures: the run then passes when exactly those fail, each with its text; a known
failure that passes or fails differently fails the run; --write-expect FILE writes the last
run's failures as such a file. --record keeps build/matrix.json's outcomes in
versions/results.json (committed); --write-tables writes each listed write-up's generated
Versions table from it. These three only read and write files (no run).

Exit status: 0 all passed (or exactly as expected), 1 any other failure or a set that could
not install, 2 bad usage (unknown set or entry, no uv, unreadable sets or expect file).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path

from . import REPO, roots, table, versions
from .soak import EXCEPTION_LINE, stop_tree, summary
from .triage import plain

RECIPE = "uv venv --seed; -r set; --no-deps -e ."  #: change it to rebuild every venv
DEFAULT_TIMEOUT = 900.0  #: seconds for one notebook or one guard file, start to end


def add_arguments(parser) -> None:
    parser.add_argument("--set", action="append", default=[], dest="sets", metavar="NAME",
                        help="version set to run (repeatable; default: every set in versions/sets.yaml)")
    parser.add_argument("--entry", action="append", default=[], dest="entries", metavar="ID",
                        help="entry to run (repeatable; default: every notebook)")
    parser.add_argument("-n", "--jobs", type=int, default=2, metavar="N",
                        help="notebooks and guard files run at the same time (default: 2)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"limit for one notebook or guard file (default: {DEFAULT_TIMEOUT:.0f})")
    parser.add_argument("--expect", type=Path, default=None, metavar="FILE",
                        help="known failures (JSON); pass when exactly these fail, as written")
    parser.add_argument("--record", action="store_true",
                        help="no run: keep build/matrix.json's outcomes in versions/results.json")
    parser.add_argument("--write-tables", action="store_true",
                        help="no run: write the write-ups' Versions tables from versions/results.json")
    parser.add_argument("--write-expect", type=Path, default=None, metavar="FILE",
                        help="no run: write build/matrix.json's failures to FILE as an --expect file")
    parser.add_argument("--merge", action="append", default=[], type=Path, metavar="FILE",
                        help="no run: fold another run's matrix.json (another checkout's, another "
                             "machine's) into build/matrix.json; its sets' entries win (repeatable)")
    parser.add_argument("--root", type=Path, default=REPO,
                        help="the knowledge base (the folder holding versions/ and notebooks/)")
    parser.add_argument("--build", type=Path, default=None, metavar="DIR",
                        help="output folder (default: ROOT/build)")


@dataclass
class Outcome:
    """One notebook or guard file on one set: "passed", "failed", "timeout" or "missing"."""

    status: str
    seconds: float = 0.0
    error: str = ""


@dataclass
class SetRecord:
    """One version set: "ran", "skipped" (no interpreter) or "install-failed"."""

    name: str
    status: str
    reason: str = ""
    python: str = ""
    interpreter: str = ""
    install_seconds: float = 0.0
    reused: bool = False
    versions: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)  #: id -> {"notebook": Outcome, "guard": Outcome}


def run(args) -> int:
    root = args.root.resolve()
    # never into an installed package (kb.roots): an installed knowledge base builds in ./build
    build = (args.build or (Path.cwd() if roots.installed(root) else root) / "build").resolve()
    try:
        if args.merge:
            merge(build, args.merge)
            if not (args.write_expect or args.record or args.write_tables):
                return 0
        if args.write_expect:
            return write_expect(build, args.write_expect)
        if args.record or args.write_tables:
            return record_and_write(root, build, args.record, args.write_tables)
        sets = choose_sets(root, args.sets)
        entries = choose_entries(root, args.entries)
        expected = load_expect(args.expect) if args.expect else None
        if args.jobs < 1 or args.timeout <= 0:
            raise versions.VersionsError("-n must be 1 or more and --timeout positive")
        uv = find_uv()
    except versions.VersionsError as exc:
        print(f"kb matrix: {exc}", file=sys.stderr)
        return 2
    records = []
    started = time.monotonic()
    previous = signal.signal(signal.SIGTERM, _interrupt)
    STOPPING.clear()
    try:
        for vset in sets:
            record = install(vset, root, build / "matrix" / vset.name, uv)
            if record.status == "ran":
                run_set(record, root, build / "matrix" / vset.name, entries, args.jobs, args.timeout)
            records.append(record)
    finally:
        signal.signal(signal.SIGTERM, previous)
    wall = time.monotonic() - started
    write_json(build / "matrix.json", records, wall)
    print()
    print(format_table(records, entries))
    print(f"\nbuild/matrix.json written; {len(records)} set(s) in {wall:.0f} s")
    problems = judge(records, expected)
    for line in problems:
        print(f"kb matrix: {line}", file=sys.stderr)
    return 1 if problems else 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def choose_sets(root: Path, names: list[str]) -> list[versions.VersionSet]:
    available = versions.load_sets(root)
    unknown = [n for n in names if n not in available]
    if unknown:
        raise versions.VersionsError(f"unknown set(s) {', '.join(unknown)}; "
                                     f"versions/sets.yaml has {', '.join(available)}")
    return [available[n] for n in dict.fromkeys(names)] if names else list(available.values())


def choose_entries(root: Path, ids: list[str]) -> list[str]:
    available = sorted(p.stem for p in (root / "notebooks").glob("*.ipynb"))
    unknown = [i for i in ids if i not in available]
    if unknown:
        raise versions.VersionsError(f"no notebook for {', '.join(unknown)} in {root / 'notebooks'}")
    return list(dict.fromkeys(ids)) if ids else available


def load_expect(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise versions.VersionsError(f"{path}: not readable JSON ({exc.__class__.__name__})") from None
    ok = isinstance(data, dict) and all(
        isinstance(sets, dict) and all(isinstance(kinds, dict) and set(kinds) <= {"notebook", "guard"}
                                       and all(isinstance(v, str) and v for v in kinds.values())
                                       for kinds in sets.values())
        for key, sets in data.items() if not key.startswith("_"))
    if not ok:
        raise versions.VersionsError(f"{path}: want entry -> set -> {{\"notebook\"|\"guard\": text}}")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def find_uv() -> str:
    beside = Path(sys.executable).parent / "uv"
    if beside.exists():
        return str(beside)
    from shutil import which

    found = which("uv")
    if not found:
        raise versions.VersionsError("no uv: `pip install uv` (requirements.txt pins it)")
    return found


# ---- one set: install, then run ---------------------------------------------------------

def install(vset: versions.VersionSet, root: Path, folder: Path, uv: str) -> SetRecord:
    """The set's venv, made or reused; the record says "ran" (ready), "skipped" or
    "install-failed" with a one-line reason."""
    record = SetRecord(vset.name, "ran")
    interpreter = versions.find_python(vset.python)
    if interpreter is None:
        record.status, record.reason = "skipped", f"no Python {vset.python} interpreter (PATH, pyenv)"
        print(f"[{vset.name}] skipped: {record.reason}", flush=True)
        return record
    record.interpreter = str(interpreter)
    if not vset.requirements.exists():
        record.status, record.reason = "install-failed", f"no requirements file {vset.requirements}"
        print(f"[{vset.name}] install failed: {record.reason}", flush=True)
        return record
    venv = folder / "venv"
    python = venv / "bin" / "python"
    stamp = folder / "stamp"
    project = root / "pyproject.toml"
    digest = sha256("\n".join([RECIPE, str(interpreter), versions.requirement_text(vset.requirements),
                               project.read_text(encoding="utf-8") if project.exists() else ""]
                              ).encode()).hexdigest()
    started = time.monotonic()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        record.reused = True
    else:
        print(f"[{vset.name}] installing {vset.requirements.name} on {interpreter} ...", flush=True)
        stamp.unlink(missing_ok=True)
        # --seed: pip in the venv, for notebooks that pip-install overlays (harness/overlay.py)
        steps = [[uv, "venv", "--quiet", "--clear", "--seed", "--python", str(interpreter), str(venv)],
                 [uv, "pip", "install", "--quiet", "--python", str(python), "-r", str(vset.requirements)],
                 [uv, "pip", "install", "--quiet", "--python", str(python), "--no-deps", "-e", str(root)]]
        if not project.exists():  # a knowledge base that is not this package (tests)
            steps.pop()
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "VIRTUAL_ENV": str(venv)}
        for step in steps:
            done = subprocess.run(step, cwd=root, capture_output=True, text=True, env=env,
                                  stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                record.status, record.reason = "install-failed", uv_error(done.stderr or done.stdout)
                print(f"[{vset.name}] install failed: {record.reason}", flush=True)
                return record
        stamp.write_text(digest)
    record.install_seconds = round(time.monotonic() - started, 1)
    record.versions = freeze(uv, python)
    record.python = record.versions.pop("python", "")
    how = "reused" if record.reused else "installed"
    print(f"[{vset.name}] {how} in {record.install_seconds:.1f} s: Python {record.python}, "
          + ", ".join(f"{versions.KEY_PACKAGES[k]} {v}" for k, v in record.versions.items()), flush=True)
    return record


def uv_error(text: str) -> str:
    """One line of uv's error output: its first paragraph (the error and its cause, which uv
    wraps to the terminal's width) joined up."""
    paragraph = []
    for raw in text.splitlines():
        line = raw.strip(" ×╰─▶│").strip()
        if not line:
            if paragraph:
                break
            continue
        if paragraph and line.startswith("hint:"):
            break
        paragraph.append(line)
    if not paragraph:
        return "uv failed without a message"
    joined = " ".join(paragraph).removeprefix("error: ")
    joined = re.sub(r":? cause: ", ": ", joined)
    return joined[:300]


def freeze(uv: str, python: Path) -> dict:
    """Python's version and the key packages' installed versions."""
    done = subprocess.run([uv, "pip", "freeze", "--python", str(python)], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    installed = {}
    for line in done.stdout.splitlines():
        name, _, version = line.partition("==")
        installed[name.strip().lower().replace("_", "-")] = version.strip()
    found = {k: installed[k] for k in versions.KEY_PACKAGES if installed.get(k)}
    probe = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
    return {"python": probe.stdout.strip(), **found}


def run_set(record: SetRecord, root: Path, folder: Path, entries: list[str], jobs: int,
            timeout: float) -> None:
    """Each entry's notebook and guard file in the set's venv; fills ``record.entries``."""
    venv = folder / "venv"
    env = {**os.environ, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PYTHONPATH", None)
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
    futures = {pool.submit(run_one, venv, root, reports / f"{entry_id}.{kind}", argv, timeout, env):
               (entry_id, kind) for entry_id, kind, argv in tasks}
    try:
        for future in as_completed(futures):
            entry_id, kind = futures[future]
            outcome = future.result()
            record.entries[entry_id][kind] = outcome
            error = f": {outcome.error}" if outcome.error else ""
            print(f"[{record.name}] {entry_id} {kind} {outcome.status} in {outcome.seconds:.1f} s{error}",
                  flush=True)
    except BaseException:  # Ctrl-C, SIGTERM: no pytest, kernel or server outlives the run
        pool.shutdown(wait=False, cancel_futures=True)
        stop_running()
        raise
    pool.shutdown()


#: pytest processes running now (stopped, with their kernels and servers, on Ctrl-C/SIGTERM)
RUNNING: set = set()
STOPPING = threading.Event()


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


# ---- results ----------------------------------------------------------------------------

def to_json(records: list[SetRecord], wall: float) -> dict:
    return {"finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017
            "wall_seconds": round(wall, 1),
            "sets": [{**asdict(r), "entries": {e: {k: asdict(o) for k, o in kinds.items()}
                                               for e, kinds in r.entries.items()}}
                     for r in records]}


def write_json(path: Path, records: list[SetRecord], wall: float) -> None:
    """Write this run into ``path``, keeping what an earlier run measured for the sets and
    entries this one did not run (unless the set's installed versions changed since)."""
    data = to_json(records, wall)
    try:
        earlier = {s["name"]: s for s in json.loads(path.read_text(encoding="utf-8"))["sets"]}
    except (OSError, ValueError, KeyError, TypeError):
        earlier = {}
    merged = dict(earlier)
    for record in data["sets"]:
        before = earlier.get(record["name"])
        if (before and record["status"] == "ran" and before.get("status") == "ran"
                and before.get("versions") == record["versions"] and before.get("python") == record["python"]):
            record["entries"] = {**before.get("entries", {}), **record["entries"]}
        merged[record["name"]] = record
    data["sets"] = list(merged.values())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def format_table(records: list[SetRecord], entries: list[str]) -> str:
    """Rows: entries; columns: sets; a cell is "notebook/guard" statuses and seconds."""
    rows = []
    for entry_id in entries:
        row = [entry_id]
        for r in records:
            if r.status != "ran":
                row.append(r.status)
                continue
            kinds = r.entries.get(entry_id, {})
            nb, guard = kinds.get("notebook"), kinds.get("guard")
            row.append(f"{_short(nb)} {nb.seconds:.0f}s / {_short(guard)}" if nb and guard else "-")
        rows.append(row)
    footer = ["(install s)"] + [f"{r.install_seconds:.0f}{' reused' if r.reused else ''}"
                                if r.status == "ran" else r.reason[:40] for r in records]
    return table.render(["entry: notebook / guard", *(r.name for r in records)], rows + [footer],
                        width=1000)


def _short(outcome: Outcome) -> str:
    return {"passed": "ok", "failed": "FAIL", "timeout": "TIMEOUT", "missing": "none"}[outcome.status]


def judge(records: list[SetRecord], expected: dict | None) -> list[str]:
    """One line per thing that makes the run fail (empty: exit 0)."""
    problems = []
    for r in records:
        if r.status == "install-failed":
            problems.append(f"[{r.name}] could not install: {r.reason}")
        for entry_id, kinds in r.entries.items():
            for kind, outcome in kinds.items():
                want = None if expected is None else expected.get(entry_id, {}).get(r.name, {}).get(kind)
                where = f"[{r.name}] {entry_id} {kind}"
                if outcome.status == "passed":
                    if want:
                        problems.append(f"{where}: passed, but --expect lists it as failing with {want!r}: "
                                        "remove it from the expect file")
                elif want is None:
                    problems.append(f"{where}: {outcome.status}: {outcome.error}")
                elif want not in outcome.error:
                    problems.append(f"{where}: fails differently than expected ({want!r}): {outcome.error}")
    return problems


#: where an error line stops being the same on another machine or run: an absolute path, an
#: address, a port, a duration, a pid
VOLATILE = re.compile(r"(?:^|(?<=[\s(\[\'\"]))/[\w.~-]+/|0x[0-9a-f]+|\d+\.\d+s\b|127\.0\.0\.1:\d+|:\d{4,5}\b|\bpid \d+")


def expected_text(error: str) -> str:
    """The stable start of an error line (up to an absolute path, address, port or duration)."""
    match = VOLATILE.search(error)
    return (error[: match.start()] if match else error).rstrip(" ,:;(")[:120] or error[:120]


def write_expect(build: Path, target: Path) -> int:
    matrix = read_matrix(build)
    expected: dict = {"_comment": "known failures: entry -> set -> notebook/guard -> the start of "
                                  "its first error line; written by `kb matrix --write-expect`"}
    for record in matrix["sets"]:
        for entry_id, kinds in record.get("entries", {}).items():
            for kind, outcome in kinds.items():
                if outcome["status"] != "passed":
                    expected.setdefault(entry_id, {}).setdefault(record["name"], {})[kind] = (
                        expected_text(outcome["error"]))
    target.write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {sum(len(k) for e, s in expected.items() if e[0] != '_' for k in s.values())} "
          f"known failure(s) to {target}")
    return 0


def merge(build: Path, files: list[Path]) -> None:
    """Fold each of ``files`` (a ``matrix.json``) into ``build/matrix.json``, in order: a set
    it ran keeps its own record (interpreter, versions) and gains the file's entries, which
    replace the outcomes it had for them; sets only one side ran are kept as they are."""
    target = build / "matrix.json"
    merged = read_matrix(build) if target.exists() else {"sets": []}
    for path in files:
        try:
            other = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(other.get("sets"), list):
                raise ValueError
        except (OSError, ValueError, AttributeError) as exc:
            raise versions.VersionsError(f"--merge {path}: not a matrix.json that kb matrix wrote "
                                         f"({exc.__class__.__name__})") from None
        by_name = {record["name"]: record for record in merged["sets"]}
        for record in other.get("sets", []):
            mine = by_name.get(record["name"])
            if mine is None or mine.get("status") != "ran":
                entries = {**(mine or {}).get("entries", {}), **record.get("entries", {})}
                by_name[record["name"]] = {**record, "entries": entries}
            else:
                if record.get("status") == "ran" and (mine.get("versions"), mine.get("python")) != (
                        record.get("versions"), record.get("python")):
                    print(f"kb matrix: warning: {record['name']} in {path} ran other versions than "
                          f"{target}'s; its entries are folded in all the same", file=sys.stderr)
                mine.setdefault("entries", {}).update(record.get("entries", {}))
        merged["sets"] = list(by_name.values())
        print(f"merged {path}: {len(other.get('sets', []))} set(s), "
              f"{len({e for r in other.get('sets', []) for e in r.get('entries', {})})} entries")
    build.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")


def read_matrix(build: Path, name: str = "matrix.json") -> dict:
    source = build / name
    try:
        return json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise versions.VersionsError(f"{source}: not readable ({exc.__class__.__name__}); "
                                     "run `kb matrix` first") from None


def record_and_write(root: Path, build: Path, record: bool, write: bool) -> int:
    if record:
        results = versions.summarise(read_matrix(build))
        if (root / "versions" / "sets.yaml").exists():  # the tables list sets in sets.yaml's order
            order = list(versions.load_sets(root))
            results["sets"] = dict(sorted(results["sets"].items(),
                                          key=lambda item: order.index(item[0]) if item[0] in order else len(order)))
        target = versions.results_path(root)
        target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"recorded {len(results['sets'])} set(s), {len(results['entries'])} entries in {target}")
    if write:
        results = versions.load_results(root)
        if results is None:
            raise versions.VersionsError(f"no {versions.results_path(root)}: run `kb matrix --record`")
        changed = []
        for entry_id in results["entries"]:
            path = root / "context" / f"{entry_id}.md"
            if not path.exists():
                continue
            text = path.read_text(encoding="utf-8")
            new = versions.with_block(text, versions.table_block(results, entry_id))
            if new != text:
                path.write_text(new, encoding="utf-8")
                changed.append(entry_id)
        print(f"Versions tables: {len(changed)} write-up(s) changed"
              + (f" ({', '.join(changed)})" if changed else ""))
    return 0
