"""Capture the failure texts users see: every entry's scenarios, in every output form.

For each ``corpus/<id>/scenarios/`` (and ``corpus/_negative/scenarios/``) it copies the folder
to a temporary one and runs, with a real Redis (``REDIS_URL``) for the whole run:
- each ``test_<name>.py`` in real pytest sessions, one per form: ``auto`` (pytest's default),
  ``long``, ``short``, ``line``, ``native``, ``no`` (``--tb=no -rA``), ``quiet`` (``-q``),
  ``ci`` (the default with ``CI=true``, as CI services run it: whole summary messages) and
  ``junit`` (the ``--junitxml`` report of the ``auto`` run);
- each ``django_<name>.py`` with Django's test runner (form ``django``);
- each ``script_<name>.py`` as a program (form ``script``: server logs, native tracebacks).
Every run must fail (pytest exit 1 with no passing test, a non-zero exit otherwise): a scenario
that stopped reproducing is an error, not a capture. Captures go to
``corpus/<id>/captured/<set>/<name>.<form>.txt`` (``.xml`` for JUnit) with ``meta.json``.
The knowledge base's own pytest plugin is off in these runs, so its block is never captured.

A project's own entries (`[tool.kb]`, `$KB_PATH`; see `kb.roots`) are captured the same way,
into their own root's `corpus/`: the project's folder is on `PYTHONPATH` and its scenarios
bring their own `conftest.py` (the harness's fixtures are the default only for the shipped
knowledge). Captures are never written into an installed package.

Exit status: 0 every capture made, 1 a scenario did not fail as it must or a run broke
(one line each; the other scenarios are still captured), 2 bad usage (unknown id, no
writable knowledge root, layers that cannot be read).
"""

import contextlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path

from . import REPO, roots

NEGATIVE = "_negative"
PYTEST_FORMS = {
    "auto": [],
    "long": ["--tb=long"],
    "short": ["--tb=short"],
    "line": ["--tb=line"],
    "native": ["--tb=native"],
    "no": ["--tb=no", "-rA"],
    "quiet": ["-q"],
    # pytest's default output as a CI service prints it: with ``CI`` (or ``BUILD_NUMBER``) set,
    # pytest (>= 7.4) prints each short-summary line's whole, multi-line message
    "ci": [],
}
#: pytest reads these to decide it runs on CI (``_pytest.terminal.running_on_ci``): set for the
#: ``ci`` form only, so a capture does not depend on where ``kb corpus`` ran
CI_VARIABLES = ("CI", "BUILD_NUMBER")
FORMS = (*PYTEST_FORMS, "junit", "django", "script")
PYTEST_INI = """\
[pytest]
asyncio_mode = strict
asyncio_default_fixture_loop_scope = function
asyncio_default_test_loop_scope = function
"""
CONFTEST = 'pytest_plugins = ["harness.fixtures"]\n'
PACKAGES = ("Django", "channels", "channels-redis", "daphne", "asgiref", "redis", "websockets",
            "pytest", "pytest-asyncio", "pytest-django", "coverage")
OUTCOMES = re.compile(r"(\d+) (passed|failed|errors?)\b")
#: a scenario's opening lines ``# kb-corpus: python >= 3.12``, ``# kb-corpus: asgiref < 3.9``:
#: captured only where every one holds (a failure that other versions do not raise, e.g.
#: unittest.mock's 3.12 deny-list, asgiref 3.9's re-raised CancelledError); ``python`` is the
#: interpreter, any other name an installed distribution
REQUIRES = re.compile(r"^# kb-corpus: ([A-Za-z0-9][A-Za-z0-9_.-]*) (>=|<) (\d+(?:\.\d+)*)[ \t]*$", re.M)
TIMEOUT = 300


class CaptureError(Exception):
    """A scenario that cannot be captured; the message is one line."""


def add_arguments(parser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID",
                        help=f"entries to capture (default: every entry with scenarios, and {NEGATIVE})")
    parser.add_argument("--set", default="pins", dest="set_name",
                        help="the version set these captures come from (default: pins)")
    roots.add_root_argument(parser, "capture into")
    parser.add_argument("-n", type=int, default=2, help="sessions run at once (default: 2)")
    parser.add_argument("--scenario", action="append", default=[], metavar="FILE",
                        help="only these scenario files (e.g. test_x.py); the other captures are kept")
    parser.add_argument("--form", action="append", default=[], choices=FORMS, metavar="FORM",
                        help=f"only these forms ({', '.join(FORMS)}); the other captures are kept")


def run(args) -> int:
    try:
        layers = roots.layers(args.root)
    except roots.RootError as exc:
        return roots.fail("corpus", exc)
    targets = [la for la in layers if la.writable and not roots.installed(la.path)]
    if not targets:
        print("kb corpus: no writable knowledge root (the shipped knowledge is read-only): "
              "run `kb init` in your project, or give --root", file=sys.stderr)
        return 2
    folders, projects = {}, {}
    for layer in targets:
        for entry_id, folder in scenario_folders(layer.path).items():
            if entry_id not in folders:
                folders[entry_id] = folder
                projects[entry_id] = None if layer.shipped or args.root else layer.project
    unknown = [i for i in args.ids if i not in folders]
    if unknown:
        print(f"kb corpus: no scenarios for {', '.join(unknown)} (want corpus/<id>/scenarios/)",
              file=sys.stderr)
        return 2
    wanted = args.ids or sorted(folders)
    failed = 0
    with redis_for_run() as redis_url:
        for entry_id in wanted:
            started = time.perf_counter()
            try:
                written = capture(folders[entry_id], args.set_name, redis_url, args.n,
                                  only=set(args.scenario), forms=set(args.form),
                                  project=projects[entry_id])
            except CaptureError as exc:
                failed += 1
                print(f"kb corpus: {entry_id}: {exc}", file=sys.stderr)
                continue
            print(f"{entry_id}: {len(written)} captures in {time.perf_counter() - started:.1f} s",
                  flush=True)
    return 1 if failed else 0


def scenario_folders(root: Path = REPO) -> dict[str, Path]:
    """``{id: corpus/<id>/scenarios}`` for every folder that has scenarios."""
    base = root / "corpus"
    return {p.parent.name: p for p in sorted(base.glob("*/scenarios")) if p.is_dir()}


@contextlib.contextmanager
def redis_for_run():
    """``$REDIS_URL``, or a real redis-server for this run (None where none can start)."""
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    from harness.servers import redis_server

    with redis_server() as url:
        yield url


def capture(scenarios: Path, set_name: str, redis_url: str | None, workers: int = 2,
            only: set[str] = frozenset(), forms: set[str] = frozenset(),
            project: Path | None = None) -> list[Path]:
    """Run every scenario of one folder (or the files in ``only``) in every form (or the forms
    in ``forms``; ``junit`` comes with ``auto``); write and return the captures. Without
    ``only`` and ``forms`` the set's folder is replaced as a whole, with them only the
    captures made are. ``project``: a team's project folder, put on ``PYTHONPATH``; its
    scenarios bring their own ``conftest.py`` (no harness default)."""
    out = scenarios.parent / "captured" / set_name
    jobs, left_out = [], 0
    for path in sorted(scenarios.glob("*.py")):
        if only and path.name not in only:
            continue
        if unmet := unmet_requirement(path):
            print(f"{scenarios.parent.name}: {path.name} not captured here: {unmet}", flush=True)
            left_out += 1
            continue
        kind, _, name = path.stem.partition("_")
        if kind == "test":
            jobs += [(path, name, form) for form in PYTEST_FORMS
                     if not forms or form in forms or (form == "auto" and "junit" in forms)]
        elif kind in ("django", "script") and (not forms or kind in forms):
            jobs.append((path, name, kind))
    if not jobs:
        # --form django for a folder with only pytest scenarios, or every scenario asks for
        # other versions (said above): nothing to capture here
        if forms or left_out:
            return []
        raise CaptureError(f"{scenarios} has no test_*.py, django_*.py or script_*.py"
                           + (f" among {', '.join(sorted(only))}" if only else ""))
    with tempfile.TemporaryDirectory(prefix="kb-corpus-") as tmp:
        env = run_env(redis_url)
        if project is not None:
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(project), env.get("PYTHONPATH")]))

        def run_in_own_folder(numbered):
            # each run in its own copy: runs at once must not share what a scenario writes
            # next to itself (a SQLite test database file, a JUnit report)
            number, job = numbered
            work = Path(tmp) / str(number) / scenarios.parent.name
            shutil.copytree(scenarios, work, ignore=shutil.ignore_patterns("__pycache__"))
            if not (work / "pytest.ini").exists() and not (work / "pyproject.toml").exists():
                (work / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
            if project is None and not (work / "conftest.py").exists():
                (work / "conftest.py").write_text(CONFTEST, encoding="utf-8")
            return run_one(work, *job, env)

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(run_in_own_folder, enumerate(jobs)))
    problems = [r["problem"] for r in results if r.get("problem")]
    if problems:
        raise CaptureError("; ".join(problems))
    kept = []
    if out.exists() and (only or forms):
        replaced = {(name, form) for _, name, form in jobs}
        replaced |= {(name, "junit") for name, form in replaced if form == "auto"}
        for old in out.glob("*.*.*"):
            if tuple(old.name.split(".")[:2]) in replaced:
                old.unlink()
        if (out / "meta.json").exists():
            kept = [r for r in json.loads((out / "meta.json").read_text(encoding="utf-8"))["runs"]
                    if (r["scenario"], r["form"]) not in {(job[0].name, job[2]) for job in jobs}]
    elif out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for result in results:
        for name, text in result.pop("files").items():
            (out / name).write_text(text, encoding="utf-8")
            written.append(out / name)
    meta = {"set": set_name, "python": platform.python_version(), "versions": versions(),
            "runs": kept + results}
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return written


def applies(path: Path) -> bool:
    """False when the scenario asks for versions other than these (``REQUIRES``)."""
    return unmet_requirement(path) is None


def requirements(text: str) -> list[tuple[str, str, str]]:
    """A scenario's ``(name, operator, version)`` requirements, from its first 500 characters."""
    return REQUIRES.findall(text[:500])


def unmet_requirement(path: Path) -> str | None:
    """None when every requirement of the scenario holds here; else the first that does not,
    with the version found (e.g. ``needs asgiref >= 3.9, has 3.8.1``)."""
    from packaging.version import Version  # pytest's own dependency: where scenarios run

    for name, op, wanted in requirements(path.read_text(encoding="utf-8")):
        if name == "python":
            have = platform.python_version()
        else:
            try:
                have = metadata.version(name)
            except metadata.PackageNotFoundError:
                return f"needs {name} {op} {wanted}, has none"
        if (Version(have) >= Version(wanted)) != (op == ">="):
            return f"needs {name} {op} {wanted}, has {have}"
    return None


def run_env(redis_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_", "COV_CORE")) and k not in CI_VARIABLES}
    env.update({"COLUMNS": "80", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"})
    if redis_url:
        env["REDIS_URL"] = redis_url
    if (REPO / "harness").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def run_one(work: Path, path: Path, name: str, form: str, env: dict) -> dict:
    """One run of one scenario; ``files`` holds the captures, ``problem`` why there are none."""
    rel = path.name
    if form in PYTEST_FORMS:
        argv = [sys.executable, "-m", "pytest", rel, "--color=no", "-p", "no:cacheprovider",
                "-p", "no:kb_known_issues", *PYTEST_FORMS[form]]
        if form == "auto":
            argv.append(f"--junitxml={name}.junit.xml")
    elif form == "django":
        argv = [sys.executable, "-m", "django", "test", path.stem, "--noinput",
                "--settings", env.get("DJANGO_SETTINGS_MODULE", "harness.settings.test")]
    else:
        argv = [sys.executable, rel]
    started = time.perf_counter()
    if form == "ci":
        env = {**env, "CI": "true"}
    try:
        proc = subprocess.run(argv, cwd=work, env=env, capture_output=True, text=True,
                              errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"scenario": rel, "form": form, "files": {},
                "problem": f"{rel} ({form}) ran past {TIMEOUT} s"}
    text = proc.stdout + proc.stderr
    record = {"scenario": rel, "form": form, "command": " ".join(argv[1:]),
              "exit_code": proc.returncode, "seconds": round(time.perf_counter() - started, 2),
              "files": {f"{name}.{form}.txt": text}}
    if form in PYTEST_FORMS:
        counts = {kind.rstrip("s"): int(n) for n, kind in OUTCOMES.findall(proc.stdout.splitlines()[-1]
                                                                            if proc.stdout.strip() else "")}
        if proc.returncode != 1 or counts.get("passed") or not (counts.get("failed") or counts.get("error")):
            record["problem"] = (f"{rel} ({form}) must fail every test, got exit {proc.returncode}"
                                 f" and {counts or 'no summary'}: {last_line(text)}")
        if form == "auto":
            junit = work / f"{name}.junit.xml"
            if junit.exists():
                record["files"][f"{name}.junit.xml"] = junit.read_text(encoding="utf-8")
    elif proc.returncode == 0:
        record["problem"] = f"{rel} ({form}) exited 0: it must fail to be a capture"
    return record


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:200] if lines else "(no output)"


def versions() -> dict:
    found = {}
    for name in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[name] = metadata.version(name)
    return found


def texts(root: Path, entry_id: str) -> list[tuple[Path, str]]:
    """Every captured and reported text of ``entry_id`` (``_negative`` for the negative corpus),
    as ``(path, text)``; a reported excerpt loses its ``# source:`` line."""
    base = root / "corpus" / entry_id
    found = []
    for path in sorted((base / "captured").glob("*/*")):
        if path.suffix in (".txt", ".xml"):
            found.append((path, path.read_text(encoding="utf-8")))
    for path in sorted((base / "reported").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found.append((path, re.sub(r"\A#[^\n]*\n", "", text)))
    return found
