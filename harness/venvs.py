"""Small cached virtualenvs that run generated test files on other library versions.

``venv_python(*requirements, python="3.11")`` returns the ``python`` of a virtualenv under
``build/venvs/<name>/`` that holds exactly ``requirements`` (e.g. ``"pytest==8.3.5",
"pytest-asyncio==0.23.8"``), made with uv (``<interpreter> -m venv`` and pip where there is
no uv) the first time and reused afterwards (a ``.done`` file records what was installed; a lock file keeps two
notebooks running in parallel from building the same one twice). ``python`` names an
interpreter under ``/root/.pyenv/versions/`` by prefix ("3.12" -> 3.12.1), or a path.

``shared=True`` (only for the interpreter of this virtualenv) appends this virtualenv's
``site-packages`` and the repository to the new one's path with a ``.pth`` file: the new
virtualenv's own packages come first, so its pytest and pytest-asyncio win, while Django,
channels and the harness come from the pins. pytest loads the first entry point of each plugin
name it finds, so the new virtualenv's pytest-asyncio is the one that runs (its header line
says ``plugins: asyncio-<version>``); the pins' other plugins load too.

``capture(python, scenarios, set_name)`` runs ``kb corpus``'s capture of one scenario folder
with that virtualenv's python, so the captures show that version's exact texts.

Raises ``RuntimeError`` with the installer's last lines when an install fails, ``LookupError`` when the
interpreter is not installed.
"""

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from .servers import REPO

ROOT = REPO / "build" / "venvs"
PYENV = Path("/root/.pyenv/versions")


def interpreter(python: str) -> Path:
    """The interpreter for ``python``: a path, or the newest pyenv version with that prefix, or
    else ``python<python>`` on PATH (CI services such as GitHub Actions install them there)."""
    if "/" in python:
        return Path(python)
    found = sorted(PYENV.glob(f"{python}*/bin/python3"), key=lambda p: p.parts[-3])
    if found:
        return found[-1]
    on_path = shutil.which(f"python{python}")
    if not on_path:
        raise LookupError(f"Python {python} is not installed under {PYENV} nor on PATH as python{python}")
    return Path(on_path)


def version_of(python: Path) -> str:
    """``"3.12.1"`` for an interpreter path."""
    out = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                         capture_output=True, text=True, check=True, timeout=60)
    return out.stdout.strip()


def venv_python(*requirements: str, python: str = sys.executable, shared: bool = False,
                timeout: float = 600.0) -> Path:
    """The python of a cached virtualenv with ``requirements`` installed (see the module doc)."""
    base = interpreter(python)
    pyver = version_of(base)
    slug = "-".join(re.sub(r"[^A-Za-z0-9.]+", "-", r) for r in requirements)
    name = f"py{pyver}-{slug}{'-shared' if shared else ''}"
    if shared:  # one per sharing virtualenv: the .pth names its site-packages (a version set's)
        name += "-" + hashlib.sha256(sysconfig.get_paths()["purelib"].encode()).hexdigest()[:8]
    home = ROOT / name
    done = home / ".done"
    wanted = "\n".join(requirements) + "\n"
    ROOT.mkdir(parents=True, exist_ok=True)
    with open(ROOT / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists() and done.read_text() == wanted:
            return home / "bin" / "python"
        uv = _uv()
        if uv:  # seconds instead of pip's tens of seconds per venv (a fresh clone builds ~10)
            subprocess.run([uv, "venv", "--quiet", "--clear", "--seed", "--python", str(base), str(home)],
                           check=True, timeout=timeout, capture_output=True)
            command = [uv, "pip", "install", "--quiet", "--python", str(home / "bin" / "python"), *requirements]
        else:
            subprocess.run([str(base), "-m", "venv", "--clear", str(home)], check=True, timeout=timeout)
            command = [str(home / "bin" / "python"), "-m", "pip", "install", "-q", *requirements]
        pip = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if pip.returncode != 0:
            tail = "\n".join((pip.stdout + pip.stderr).strip().splitlines()[-5:])
            raise RuntimeError(f"pip install {' '.join(requirements)} failed:\n{tail}")
        if shared:
            _share_pins(home)
        done.write_text(wanted)
    return home / "bin" / "python"


def _uv() -> str | None:
    """uv beside this interpreter, in the repository's own .venv, or on PATH; None: use pip."""
    import shutil

    for candidate in (Path(sys.executable).parent / "uv", REPO / ".venv" / "bin" / "uv"):
        if candidate.exists():
            return str(candidate)
    return shutil.which("uv")


def _share_pins(home: Path) -> None:
    """Append this virtualenv's site-packages and the repository to ``home``'s path."""
    site = next(home.glob("lib/python3*/site-packages"))
    (site / "zz_pins.pth").write_text(f"{sysconfig.get_paths()['purelib']}\n{REPO}\n")



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
