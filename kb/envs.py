"""Environments for other library versions, made once and cached: the one place that makes them.

- ``set_venv(folder, python, requirements, project, uv)``: a version set's virtualenv for
  ``kb matrix`` (``uv venv --seed``, ``uv pip install -r <file>``, then the project with
  ``--no-deps -e``), in ``folder/venv``.
- ``venv_python(*requirements, python="3.11", shared=False)``: the ``python`` of a small
  virtualenv under ``build/venvs/`` holding exactly ``requirements`` (``"pytest==8.3.5"``). With
  ``shared=True`` (for this interpreter only) a ``.pth`` file appends this virtualenv's
  ``site-packages`` and the repository to its path: its own packages come first (its pytest and
  pytest-asyncio win; pytest loads the first entry point of each plugin name, so the header says
  ``plugins: asyncio-<version>``), while Django, channels and the harness come from the pins.
- ``overlay(*requirements)``: a folder under ``build/overlays/`` with exactly those
  distributions (``--target --no-deps``); ``run_python(..., overlay=folder)`` runs a fresh
  interpreter with that folder first on its path, so they shadow the installed ones.
- ``capture(python, scenarios, set_name)``: ``kb corpus``'s capture of one scenario folder run
  with another virtualenv's python, so the captures show that version's exact texts.

One rule for all three kinds. The installer is uv (``find_uv``: beside this interpreter, in the
repository's ``.venv``, on PATH; pip where there is none, except for sets, which need uv).
``python`` is a path or a version ("3.12": ``kb.versions.find_python``, PATH then pyenv). The
cache key (``cache_key``) is the interpreter's version, the requirements and the project's
inputs; an environment is rebuilt when its stamp holds another key, and a lock file per
environment keeps two processes (``pytest -n 2``) from building it twice. Every failure is an
``EnvError`` (a ``RuntimeError``) whose message is one line: what was being made and the
installer's own reason (``uv_error``).
"""

import fcntl
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from harness.servers import REPO, child_env

from .versions import find_python, requirement_text

VENVS = REPO / "build" / "venvs"
OVERLAYS = REPO / "build" / "overlays"
STAMP = ".kb-env"  #: inside each environment: the cache key it was built for, written last
RECIPE = "uv venv --seed; -r set; --no-deps -e ."  #: change it to rebuild every set's venv
# Small venvs and overlays are installed with their bytecode compiled: every program that runs
# them has PYTHONDONTWRITEBYTECODE (``child_env``), so an uncompiled one compiles every module it
# imports, every time (Django from an overlay: about 0.6 s of CPU per process). In their cache
# key, so the ones built before are rebuilt once.
COMPILED = "compiled"


class EnvError(RuntimeError):
    """An environment could not be made: ``what`` was being made, ``reason`` is one line."""

    def __init__(self, what: str, reason: str):
        super().__init__(f"{what}: {reason}")
        self.what, self.reason = what, reason


def find_uv() -> str | None:
    """uv beside this interpreter, in the repository's .venv, or on PATH; None: use pip."""
    for candidate in (Path(sys.executable).parent / "uv", REPO / ".venv" / "bin" / "uv"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("uv")


# What interpreter() and version_of() found, once per process: each look runs the candidates,
# and a pyenv shim on PATH (a bash script) starts about 90 programs per run.
_found: dict[tuple, Path] = {}
_versions: dict[Path, str] = {}


def interpreter(python: str) -> Path:
    """The interpreter ``python`` names: a path as given, or a version ("3.12") found on PATH or
    under pyenv (looked up once per process and PATH). Raises ``EnvError`` when there is none."""
    if "/" in python:
        return Path(python)
    key = (python, os.environ.get("PATH"), os.environ.get("PYENV_ROOT"))
    if key not in _found:
        found = find_python(python)
        if found is None:
            raise EnvError(f"Python {python}", "no such interpreter (PATH, pyenv)")
        _found[key] = found
    return _found[key]


def version_of(python: Path) -> str:
    """``"3.12.1"`` for an interpreter path (run once per process and path)."""
    if Path(python) == Path(sys.executable):
        return platform.python_version()
    if Path(python) not in _versions:
        out = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        if out.returncode != 0:
            raise EnvError(f"Python {python}", uv_error(out.stderr) or f"exited with {out.returncode}")
        _versions[Path(python)] = out.stdout.strip()
    return _versions[Path(python)]


def cache_key(version: str, requirements: list[str] | str, *inputs: str) -> str:
    """The one cache key: interpreter version, requirements (order kept: pip's order can
    matter) and the project's inputs (files, paths) that the environment depends on."""
    wanted = requirements if isinstance(requirements, str) else "\n".join(requirements)
    return hashlib.sha256("\0".join([version, wanted, *inputs]).encode()).hexdigest()


def uv_error(text: str) -> str:
    """One line of an installer's error output: its first paragraph (the error and its cause,
    which uv wraps to the terminal's width) joined up."""
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


def _cached(home: Path, key: str, build) -> bool:
    """``build()`` ``home`` unless its stamp holds ``key``, under ``home``'s lock; True when it
    was reused. A failed build leaves no stamp, so the next call builds again."""
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f"{home.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = home / STAMP
        if stamp.is_file() and stamp.read_text() == key:
            return True
        build()
        stamp.write_text(key)
        return False


def _run(argv: list[str], what: str, timeout: float | None, cwd: Path | None = None,
         venv: Path | None = None) -> None:
    """One installer step; ``EnvError`` with its reason when it fails or overruns."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    if venv:
        env["VIRTUAL_ENV"] = str(venv)
    else:
        env.pop("VIRTUAL_ENV", None)
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise EnvError(what, f"{Path(argv[0]).name} did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        raise EnvError(what, uv_error(done.stderr or done.stdout))


def _make_venv(home: Path, base: Path, uv: str | None, what: str, timeout: float | None) -> Path:
    """A fresh virtualenv (with pip: notebooks in a set's venv pip-install overlays)."""
    if uv:
        _run([uv, "venv", "--quiet", "--clear", "--seed", "--python", str(base), str(home)], what, timeout,
             venv=home)
    else:
        _run([str(base), "-m", "venv", "--clear", str(home)], what, timeout)
    return home / "bin" / "python"


def _install(python: Path, args: list[str], uv: str | None, what: str, timeout: float | None,
             cwd: Path | None = None) -> None:
    """``args`` installed into ``python``'s virtualenv, bytecode compiled (pip does by default)."""
    if uv:
        _run([uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python), *args], what,
             timeout, cwd=cwd, venv=python.parent.parent)
    else:
        _run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *args], what,
             timeout, cwd=cwd)


def set_venv(folder: Path, python: Path, requirements: Path, project: Path | None, uv: str,
             announce=None) -> tuple[Path, bool]:
    """A version set's virtualenv, ``folder/venv``: ``requirements`` (a pip file), then
    ``project`` (a folder with ``pyproject.toml``; None: none) without its dependencies, as an
    editable install; ``announce()`` is called before a build. Returns its python and whether
    it was reused."""
    home = folder / "venv"
    pyproject = project / "pyproject.toml" if project else None
    key = cache_key(version_of(python), requirement_text(requirements), RECIPE,
                    pyproject.read_text(encoding="utf-8") if pyproject else "")
    what = f"the {folder.name} set's venv"

    def build():
        if announce:
            announce()
        venv_python = _make_venv(home, python, uv, what, None)
        _install(venv_python, ["-r", str(requirements)], uv, what, None, cwd=project)
        if project:
            _install(venv_python, ["--no-deps", "-e", str(project)], uv, what, None, cwd=project)

    return home / "bin" / "python", _cached(home, key, build)


def venv_python(*requirements: str, python: str = sys.executable, shared: bool = False,
                timeout: float = 600.0) -> Path:
    """The python of a cached small virtualenv with ``requirements`` (see the module doc)."""
    base = interpreter(python)
    version = version_of(base)
    pins = sysconfig.get_paths()["purelib"]
    key = cache_key(version, list(requirements), COMPILED, *([pins, str(REPO)] if shared else []))
    slug = "-".join(re.sub(r"[^A-Za-z0-9.]+", "-", r) for r in requirements)
    home = VENVS / f"py{version}-{slug}{'-shared' if shared else ''}-{key[:8]}"
    what = f"venv {' '.join(requirements)} on Python {version}"

    def build():
        own = _make_venv(home, base, find_uv(), what, timeout)
        _install(own, list(requirements), find_uv(), what, timeout)
        if shared:  # after its own packages: they win, the pins fill in the rest
            site = next(home.glob("lib/python3*/site-packages"))
            (site / "zz_pins.pth").write_text(f"{pins}\n{REPO}\n")

    _cached(home, key, build)
    return home / "bin" / "python"


def overlay(*requirements: str, timeout: float = 300.0) -> Path:
    """A folder with exactly ``requirements`` installed (e.g. ``"asgiref==3.8.1"``) for this
    interpreter, cached; see ``run_python``. Raises ``EnvError`` when the install fails (and
    leaves no folder behind)."""
    version = platform.python_version()
    key = cache_key(version, sorted(requirements), COMPILED)
    target = OVERLAYS / f"{'+'.join(sorted(requirements)).replace('==', '-')}-py{version}-{key[:12]}"
    what = f"overlay {' '.join(requirements)}"

    def build():
        shutil.rmtree(target, ignore_errors=True)  # a half-built one
        target.mkdir(parents=True)
        uv = find_uv()
        command = ([uv, "pip", "install", "--quiet", "--no-deps", "--compile-bytecode", "--python", sys.executable,
                    "--target", str(target), *requirements] if uv else
                   [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check", "--target", str(target), *requirements])
        try:
            _run(command, what, timeout)
        except EnvError:
            shutil.rmtree(target, ignore_errors=True)
            raise

    _cached(target, key, build)
    return target


def run_python(
    *args: str, overlay: Path | None = None, cwd=None, env: dict | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess:
    """``python *args`` in a subprocess, ``overlay`` first on its path; output captured as text.

    ``args`` as for the interpreter (``"-c", code`` or ``"-m", "pytest", ...``). The repository
    is on the path too, so the harness imports as it does here.
    """
    argv, extra = python_command(*args, overlay=overlay, env=env)
    return subprocess.run(argv, cwd=cwd or REPO, capture_output=True, text=True, timeout=timeout,
                          env=child_env(extra))


def python_command(*args: str, overlay: Path | None = None, env: dict | None = None) -> tuple[list[str], dict]:
    """What ``run_python`` runs: the command line, and ``env`` plus the ``PYTHONPATH`` it needs."""
    paths = [str(overlay)] if overlay else []
    paths += [str(REPO), os.environ.get("PYTHONPATH", "")]
    return [sys.executable, *args], {**(env or {}), "PYTHONPATH": os.pathsep.join(filter(None, paths))}


def capture(python: Path, scenarios: Path, set_name: str, redis_url: str | None = None,
            timeout: float = 1800.0) -> str:
    """Capture ``scenarios`` (a folder of ``kb corpus`` scenarios) with ``python``.

    The captures land in ``<scenarios>/../captured/<set_name>/``. Returns the capture's output;
    raises ``RuntimeError`` with it when a scenario did not fail as it must.
    """
    program = ("import sys; from pathlib import Path; from kb.corpus import capture; "
               "written = capture(Path(sys.argv[1]), sys.argv[2], sys.argv[3] or None); "
               "print(len(written), 'captures')")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([str(python), "-c", program, str(scenarios), set_name, redis_url or ""],
                          capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout + proc.stderr)
    return proc.stdout
