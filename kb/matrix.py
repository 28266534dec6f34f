"""Run every notebook and guard test on each named version set (versions/sets.yaml).

For each set: a virtualenv under build/matrix/<set>/venv made with uv (`uv venv --seed
--python`, `uv pip install -r versions/<file>`, then this project with `--no-deps -e .`),
reused while its inputs (interpreter, requirement files, pyproject.toml) are unchanged. Then each
notebook (pytest --nbmake) and each guard test file (tests/guards/) runs in that venv as
its own pytest, N at a time, each bounded by --timeout. A line is printed as each install
and each run finishes; at the end a table entry x set, and build/matrix.json (per set: the
interpreter, the installed versions, per entry the notebook's and the guard's status,
seconds and first error line; sets and entries a run leaves out keep their last outcome).
A set whose interpreter is missing is "skipped: no pythonX.Y (PATH, pyenv)", not a failure;
one that cannot install gets one line and the other sets still run. Ctrl-C or SIGTERM stops every run it started (exit 130).

--expect FILE (JSON: entry -> set -> {"notebook"|"guard": substring of the error}) lists
known failures: the run then passes when exactly those fail, each with its text; a known
failure that passes or fails differently fails the run; --write-expect FILE writes the last
run's failures as such a file. --record folds build/matrix.json's outcomes into
versions/results.json (committed): each set and entry it ran replaces its record, the rest is
kept (a set recorded on other versions loses the outcomes not run again); --write-tables writes each listed write-up's generated
Versions table from it. These three only read and write files (no run).
--rerun N runs a failed (not timed-out) notebook or guard file again, up to N times: one that
then passes counts as passed, is printed FLAKY with its first error and the end of its first log,
and keeps the first error in build/matrix.json ("flaky"). A test that always fails still fails.
--shard K/N runs shard K of a stable split of the entries (kb/shard.py); --merge of the
shards' matrix.json files with --expect judges them together as one run would be judged.

Exit status: 0 all passed (or exactly as expected), 1 any other failure or a set that could
not install, 2 bad usage (unknown set or entry, no uv, unreadable sets or expect file).
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

from . import REPO, envs, roots, shard, versions
from .matrix_results import (
    SetRecord,
    flaky_runs,
    format_table,
    judge,
    load_expect,
    merge,
    record_and_write,
    write_expect,
    write_json,
)
from .matrix_runs import STOPPING, failed_log_tails, run_set

DEFAULT_TIMEOUT = 900.0  #: seconds for one notebook or one guard file, start to end


def add_arguments(parser) -> None:
    parser.add_argument("--set", action="append", default=[], dest="sets", metavar="NAME",
                        help="version set to run (repeatable; default: every set in versions/sets.yaml)")
    parser.add_argument("--entry", action="append", default=[], dest="entries", metavar="ID",
                        help="entry to run (repeatable; default: every notebook)")
    parser.add_argument("--shard", default=None, metavar="K/N",
                        help="run only shard K of N of the entries (a stable split, kb/shard.py)")
    parser.add_argument("-n", "--jobs", type=int, default=2, metavar="N",
                        help="notebooks and guard files run at the same time (default: 2)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=f"limit for one notebook or guard file (default: {DEFAULT_TIMEOUT:.0f})")
    parser.add_argument("--rerun", type=int, default=0, metavar="N",
                        help="run a failed notebook or guard file again, up to N times; one that then "
                             "passes counts as passed and is reported FLAKY with its first error (default: 0)")
    parser.add_argument("--expect", type=Path, default=None, metavar="FILE",
                        help="known failures (JSON); pass when exactly these fail, as written")
    parser.add_argument("--record", action="store_true",
                        help="no run: fold build/matrix.json's outcomes into versions/results.json")
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


def run(args) -> int:
    root = args.root.resolve()
    # never into an installed package (kb.roots): an installed knowledge base builds in ./build
    build = (args.build or (Path.cwd() if roots.installed(root) else root) / "build").resolve()
    try:
        if args.merge:
            merge(build, args.merge)
            if args.expect:  # CI's last job: judge the shards' merged outcomes
                return shard.judge_merged(choose_entries(root, []), build, args.expect, args.sets)
            if not (args.write_expect or args.record or args.write_tables):
                return 0
        if args.write_expect:
            return write_expect(build, args.write_expect)
        if args.record or args.write_tables:
            return record_and_write(root, build, args.record, args.write_tables)
        sets = choose_sets(root, args.sets)
        entries = choose_entries(root, args.entries)
        if args.shard is not None:
            entries = shard.choose(entries, args.shard, root)
        expected = load_expect(args.expect) if args.expect else None
        if args.jobs < 1 or args.timeout <= 0 or args.rerun < 0:
            raise versions.VersionsError("-n must be 1 or more, --timeout positive and --rerun 0 or more")
        uv = envs.find_uv()
        if uv is None:
            raise versions.VersionsError("no uv: `pip install uv` (requirements.txt pins it)")
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
                run_set(record, root, build / "matrix" / vset.name, entries, args.jobs, args.timeout,
                        args.rerun)
            records.append(record)
    finally:
        signal.signal(signal.SIGTERM, previous)
    wall = time.monotonic() - started
    write_json(build / "matrix.json", records, wall)
    print()
    print(format_table(records, entries))
    print(f"\nbuild/matrix.json written; {len(records)} set(s) in {wall:.0f} s")
    problems = judge(records, expected)
    flaky = flaky_runs(records)
    if problems or flaky:  # what went wrong, readable in a CI log that keeps nothing else
        print("\n".join(failed_log_tails(build, records)), file=sys.stderr)
    for line in flaky:
        print(f"kb matrix: FLAKY: {line}", file=sys.stderr)
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


def install(vset: versions.VersionSet, root: Path, folder: Path, uv: str) -> SetRecord:
    """The set's venv, made or reused; the record says "ran" (ready), "skipped" or
    "install-failed" with a one-line reason."""
    record = SetRecord(vset.name, "ran")
    try:
        interpreter = envs.interpreter(vset.python)
    except envs.EnvError:
        record.status, record.reason = "skipped", f"no python{vset.python} (PATH, pyenv)"
        print(f"[{vset.name}] skipped: {record.reason}", flush=True)
        return record
    record.interpreter = str(interpreter)
    if not vset.requirements.exists():
        record.status, record.reason = "install-failed", f"no requirements file {vset.requirements}"
        print(f"[{vset.name}] install failed: {record.reason}", flush=True)
        return record
    started = time.monotonic()
    try:
        python, record.reused = envs.set_venv(
            folder, interpreter, vset.requirements, root if (root / "pyproject.toml").exists() else None, uv,
            announce=lambda: print(f"[{vset.name}] installing {vset.requirements.name} on {interpreter} ...",
                                   flush=True))
    except envs.EnvError as exc:
        record.status, record.reason = "install-failed", exc.reason
        print(f"[{vset.name}] install failed: {record.reason}", flush=True)
        return record
    record.install_seconds = round(time.monotonic() - started, 1)
    record.versions = freeze(uv, python)
    record.python = record.versions.pop("python", "")
    how = "reused" if record.reused else "installed"
    print(f"[{vset.name}] {how} in {record.install_seconds:.1f} s: Python {record.python}, "
          + ", ".join(f"{versions.KEY_PACKAGES[k]} {v}" for k, v in record.versions.items()), flush=True)
    return record


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


