"""A non-editable install carries the knowledge: sdist -> wheel -> a fresh virtualenv elsewhere.

The source files (tracked and new, as git lists them) are copied to a temporary folder outside
the repository, built into an sdist and a wheel there (setuptools from requirements.txt, no
build isolation: no network), and the wheel is installed into a new virtualenv made without
the system's site-packages. Its dependencies are not downloaded again: the closure of the
wheel's own ``Requires-Dist`` (and pytest, which the external project brings) is linked from
this virtualenv's site-packages into one folder that the new virtualenv reads after its own,
so a module the wheel needs but does not declare is missing there too, and this checkout's
``kb`` is not visible to it.

Then, from a folder that is not the repository: ``kb list`` lists every entry, ``kb show``
prints one with its notebook inside the installed package, ``kb triage`` names the right entry
for a log from a real failing pytest run, and the pytest plugin prints its "known issues" block
for that failure in a tiny external project. Select or skip it with ``-m install``. The wheel is
built once per test run (``built_wheel``, shared under a file lock by the xdist workers and by
tests/test_team.py, which imports it with ``fresh_venv``), and installed once into the
virtualenv that this test and tests/test_doctor_install.py only read (``installed_venv``).
"""

import contextlib
import fcntl
import json
import os
import re
import subprocess
import sys
import time
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kb import REPO
from kb.entries import scan, writeup_paths
from kb.triage import triage

pytestmark = pytest.mark.install

EXTERNAL_TEST = '''\
import asyncio


def test_nested_asyncio_run():
    async def outer():
        inner = asyncio.sleep(0)
        try:
            asyncio.run(inner)  # a loop already runs in this thread
        finally:
            inner.close()

    asyncio.run(outer())


def test_unrelated_failure():
    assert [1, 2] == [1, 3]


def test_passes():
    assert asyncio.run(asyncio.sleep(0, result="ok")) == "ok"
'''


def run(argv, cwd, env, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def checked(argv, cwd, env, timeout=300) -> subprocess.CompletedProcess:
    proc = run(argv, cwd, env, timeout)
    assert proc.returncode == 0, f"{argv}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def source_copy(target: Path) -> Path:
    """The repository's files as git lists them (tracked and untracked, not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-z", "-c", "-o", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():  # a deleted but still tracked file is listed too
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target


def wheel_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return Parser().parsestr(archive.read(name).decode()).get_all("Requires-Dist") or []


def closure(requirements: list[str]) -> list[metadata.Distribution]:
    """The installed distributions that ``requirements`` need, transitively (extras followed)."""
    found, seen, todo = {}, set(), [(Requirement(r), {""}) for r in requirements]
    while todo:
        requirement, parent_extras = todo.pop()
        marker = requirement.marker
        if marker and not any(marker.evaluate({"extra": e}) for e in parent_extras):
            continue
        key = (canonicalize_name(requirement.name), frozenset(requirement.extras))
        if key in seen:
            continue
        seen.add(key)
        dist = metadata.distribution(requirement.name)
        found[key[0]] = dist
        extras = {""} | set(requirement.extras)
        todo += [(Requirement(r), extras) for r in dist.requires or []]
    return list(found.values())


def link_dependencies(distributions, target: Path) -> Path:
    """Symlink each distribution's top-level files and folders (site-packages) into ``target``."""
    target.mkdir()
    for dist in distributions:
        site = Path(dist.locate_file(""))
        for top in {Path(f).parts[0] for f in dist.files or [] if not str(f).startswith("..")}:
            if not (target / top).exists() and (site / top).exists():
                (target / top).symlink_to(site / top)
    return target


def clean_env() -> dict:
    """This environment without what would point a child at this checkout or another venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "KB_ROOT", "KB_PATH", "VIRTUAL_ENV", "PYTEST_ADDOPTS",
                        "PYTHONHOME"}}
    env.update(PYTHONDONTWRITEBYTECODE="1", COLUMNS="120", NO_COLOR="1")
    return env


@contextlib.contextmanager
def shared_folder(tmp_path_factory, name: str):
    """One folder per test run that every xdist worker sees, held under its file lock while
    the ``with`` block makes or reads what it shares."""
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    base = tmp_path_factory.getbasetemp()
    folder = base.parent / f"{name}-{run_id}" if run_id else base / name
    folder.mkdir(exist_ok=True)
    with (folder / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield folder


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory) -> tuple[Path, float]:
    """``(wheel, seconds it took here)``: the sdist and wheel of this checkout, built once per
    test run outside the repository; xdist workers share one build (a file lock; the other
    worker waits at most as long as the build's own time limits)."""
    started = time.perf_counter()
    with shared_folder(tmp_path_factory, "kb-wheel") as folder:
        dist = folder / "dist"
        if not list(dist.glob("*.whl")):
            env = clean_env()
            source = source_copy(folder / "src")
            checked([sys.executable, "-c", f"from setuptools import build_meta as b; b.build_sdist({str(dist)!r})"],
                    source, env)
            (sdist,) = dist.glob("*.tar.gz")
            checked([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                     "-w", dist, sdist], folder, env)
        (wheel,) = dist.glob("*.whl")
    return wheel, time.perf_counter() - started


@pytest.fixture(scope="session")
def installed_venv(tmp_path_factory, built_wheel) -> tuple[Path, Path, float]:
    """``(python, site-packages, seconds it took here)``: ``fresh_venv`` of the built wheel with
    pytest, made once per test run for the tests that only read it (xdist workers share it
    under a file lock, as ``built_wheel``). A test that changes its virtualenv makes its own."""
    started = time.perf_counter()
    with shared_folder(tmp_path_factory, "kb-venv") as folder:
        made = folder / "made.json"
        if not made.exists():
            python, site = fresh_venv(built_wheel[0], folder, clean_env())
            made.write_text(json.dumps([str(python), str(site)]), encoding="utf-8")
        python, site = map(Path, json.loads(made.read_text(encoding="utf-8")))
    return python, site, time.perf_counter() - started


def fresh_venv(wheel: Path, where: Path, env: dict, also: list[str] = ("pytest",)) -> tuple[Path, Path]:
    """A virtualenv at ``where/venv`` without the system's site-packages, the wheel installed
    (no index), its dependencies' closure (and ``also``'s) linked in from this virtualenv;
    ``env``'s PATH gets its bin/. Returns ``(python, site-packages)``."""
    venv = where / "venv"
    checked([sys.executable, "-m", "venv", "--without-pip", venv], where, env)
    python, bin_dir = venv / "bin" / "python", venv / "bin"
    checked([sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
             "--no-index", wheel], where, env)
    site = Path(checked([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                        where, env).stdout.strip())
    needed = closure(wheel_requirements(wheel) + list(also))
    deps = link_dependencies(needed, where / "deps")
    (site / "zz_dependencies.pth").write_text(f"{deps}\n", encoding="utf-8")
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return python, site


def test_a_wheel_installed_outside_the_repo_serves_list_show_triage_and_the_plugin(
        tmp_path, built_wheel, installed_venv):
    assert not tmp_path.resolve().is_relative_to(REPO.resolve())
    timings = {}
    started = time.perf_counter()
    _, timings["build sdist + wheel (or wait for it)"] = built_wheel
    python, site, timings["venv + install (or wait for it)"] = installed_venv
    bin_dir = python.parent
    assert not python.resolve().is_relative_to(REPO.resolve())
    env = clean_env()
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"

    knowledge = site / "kb" / "_knowledge"
    where = checked([python, "-c", "import kb; print(kb.__file__); print(kb.REPO)"], tmp_path, env)
    assert where.stdout.splitlines() == [str(site / "kb" / "__init__.py"), str(knowledge)]

    ids = [p.stem for p in writeup_paths(REPO)]
    entries, _ = scan(REPO)
    listed = checked([bin_dir / "kb", "list"], tmp_path, env).stdout
    count = "entry" if len(ids) == 1 else "entries"
    assert listed.splitlines()[-1] == f"{len(ids)} {count}", listed
    rows = {line.split()[0] for line in listed.splitlines()[1:] if line and not line.startswith(" ")}
    assert set(ids) <= rows, listed

    shown = checked([bin_dir / "kb", "show", "sync-async-boundary"], tmp_path, env).stdout
    notebook = knowledge / "notebooks" / "sync-async-boundary.ipynb"
    assert shown.startswith("sync-async-boundary: ")
    assert f"pytest --nbmake {notebook}\n" in shown and notebook.is_file()
    assert (knowledge / "requirements.txt").is_file() and (knowledge / "pyproject.toml").is_file()
    assert (knowledge / "tests" / "guards" / "test_sync_async_boundary.py").is_file()
    assert (knowledge / "tests" / "test_snippets.py").is_file()  # the copied fixes' own tests
    unknown = run([bin_dir / "kb", "show", "sync-async"], tmp_path, env)
    assert (unknown.returncode, unknown.stderr) == (
        2, "kb show: no entry 'sync-async'; did you mean sync-async-boundary?\n")

    shipped = sorted(p.relative_to(knowledge).as_posix() for p in (knowledge / "corpus").rglob("*")
                     if p.is_file() and "__pycache__" not in p.parts)  # pip compiles what it installs
    assert shipped == sorted(p.relative_to(REPO).as_posix() for p in (REPO / "corpus").rglob("*")
                             if p.is_file() and "__pycache__" not in p.parts)
    captured = [path for folder in [*ids, "_negative"]  # one per entry, and one negative
                for path in sorted((knowledge / "corpus" / folder / "captured").glob("*/*.txt"))[:1]]
    assert captured, "no captured corpus text shipped"
    for path in captured:  # the installed kb ranks them as the checkout's does
        here = triage(path.read_text(encoding="utf-8"), entries, str(path))
        there = run([bin_dir / "kb", "triage", "--json", path], tmp_path, env)
        assert [m["id"] for m in json.loads(there.stdout)["matches"]] == [
            m.entry_id for found in here.matches.values() for m in found], path

    mark = time.perf_counter()
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_loops.py").write_text(EXTERNAL_TEST, encoding="utf-8")
    plain = run([python, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:kb_known_issues"],
                project, env, timeout=120)
    assert plain.returncode == 1, plain.stdout + plain.stderr
    assert re.search(r"^E +RuntimeError: asyncio\.run\(\) cannot be called from a running event loop$",
                     plain.stdout, re.M), plain.stdout
    assert "known issues" not in plain.stdout
    log = project / "pytest.log"
    log.write_text(plain.stdout, encoding="utf-8")
    triaged = checked([bin_dir / "kb", "triage", log], project, env).stdout
    assert triaged.startswith("1. sync-async-boundary: "), triaged

    with_plugin = run([python, "-m", "pytest", "-p", "no:cacheprovider"], project, env, timeout=120)
    assert with_plugin.returncode == 1, with_plugin.stdout + with_plugin.stderr
    block = with_plugin.stdout.split(" known issues ", 1)[-1]
    assert block != with_plugin.stdout, with_plugin.stdout
    assert block.splitlines()[1].startswith("1. sync-async-boundary: "), block
    assert "  in:       test_loops.py::test_nested_asyncio_run\n" in block, block
    assert f"  read:     {knowledge / 'context' / 'sync-async-boundary.md'}\n" in block, block
    assert not any(line.startswith("FAILED ") for line in block.splitlines()), block  # pytest's summary comes before
    # the unrelated failure is answered on its own line: no known issue
    assert "  test_loops.py::test_unrelated_failure: no known issue\n" in block, block
    timings["external project: 2 pytest runs + triage"] = time.perf_counter() - mark

    timings["total"] = time.perf_counter() - started
    print(", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
