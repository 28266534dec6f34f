"""Other versions of one or two libraries, for a subprocess: both sides of a version boundary.

A notebook shows what the *running* versions do in its own process. ``overlay(...)`` gives it
the other side too: a folder holding exactly the named distributions (``pip install --target
--no-deps``), cached under ``build/overlays/``; ``run_python(code, overlay=folder)`` runs code
in a fresh interpreter whose ``sys.path`` puts that folder first, so those versions shadow the
installed ones and everything else (Django, the harness, ...) stays as installed. Needs the
package index the first time a given set is asked for; later calls reuse the folder.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .servers import REPO, child_env

OVERLAYS = REPO / "build" / "overlays"


def overlay(*requirements: str, timeout: float = 300.0) -> Path:
    """A folder with exactly ``requirements`` installed (e.g. ``"asgiref==3.8.1"``); cached.

    Built in a temporary folder and renamed into place, so two notebooks asking at once (under
    ``pytest -n 2``) never see a half-installed folder. Raises ``RuntimeError`` with pip's
    output when the install fails.
    """
    # the interpreter's version is part of the key: a package built for 3.11 may not import on 3.10
    python = f"py{sys.version_info[0]}.{sys.version_info[1]}"
    key = hashlib.sha256("\n".join([python, *sorted(requirements)]).encode()).hexdigest()[:12]
    target = OVERLAYS / f"{'+'.join(sorted(requirements)).replace('==', '-')}-{python}-{key}"
    if target.is_dir():
        return target
    OVERLAYS.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=OVERLAYS))
    from .venvs import _uv

    uv = _uv()  # uv: about a second; pip: several
    command = ([uv, "pip", "install", "--quiet", "--no-deps", "--python", sys.executable,
                "--target", str(staging), *requirements] if uv else
               [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile",
                "--disable-pip-version-check", "--target", str(staging), *requirements])
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise RuntimeError(f"pip could not install {requirements}:\n{proc.stdout}{proc.stderr}")
    try:
        staging.rename(target)
    except OSError:  # another process renamed its copy first: use that one
        shutil.rmtree(staging, ignore_errors=True)
    return target


def run_python(
    *args: str, overlay: Path | None = None, cwd=None, env: dict | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess:
    """``python *args`` in a subprocess, ``overlay`` first on its path; output captured as text.

    ``args`` as for the interpreter (``"-c", code`` or ``"-m", "pytest", ...``). The repository
    is on the path too, so the harness imports as it does here.
    """
    paths = [str(overlay)] if overlay else []
    paths += [str(REPO), os.environ.get("PYTHONPATH", "")]
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd or REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**child_env(env), "PYTHONPATH": os.pathsep.join(filter(None, paths))},
    )
