"""The module every notebook imports first: ``from kb import notebook as nb``; prints nothing.

Importing it imports ``harness.notebook``, which sets Django up (test settings, a migrated
SQLite file, the seed users) before the notebook's other imports; its helpers are here under
the same names (``use_layer``, ``use_database``, ``redis_url``, ``run_pytest``, ``scratch``,
``background``, ``SUMMARY``, ``close``). On top, the two that tie a notebook to the knowledge
base, ``run_guard`` (the entry's guard file) and ``check_claims`` (the last cell: the write-up
against the corpus and the notebook); and ``background_python`` (``kb.envs.run_python``'s run,
beside the cells).
"""

from harness.notebook import (  # sets Django up
    SUMMARY,
    Background,
    background,
    close,
    redis_url,
    run_pytest,
    scratch,
    use_database,
    use_layer,
)

from . import REPO as KNOWLEDGE  # the checkout, or the copy a wheel installed
from .team import (  # one implementation for both shapes of notebook (kb.team)
    check_claims,
    guard_passed,
)

__all__ = ["SUMMARY", "Background", "background", "background_python", "check_claims", "close", "redis_url", "run_guard", "run_pytest", "scratch", "use_database", "use_layer"]


def run_guard(entry_id: str, timeout: float = 300.0):
    """Run the entry's guard test file, ``tests/guards/test_<id>.py``, in a subprocess.

    It runs in the knowledge base ``kb`` reads (``kb.REPO``: this checkout, or the copy
    installed with the package), so an installed notebook runs its installed guard.

    Asserts that it ran at least one test, that every test passed (no failure, error or skip:
    a skipped guard guards nothing), prints pytest's summary line and returns the result.
    """
    path = f"tests/guards/test_{entry_id.replace('-', '_')}.py"
    result = run_pytest(path, timeout=timeout, cwd=KNOWLEDGE, env={"COLUMNS": "200"})
    guard_passed(result, path)
    return result


def background_python(*args: str, overlay=None, cwd=None, env: dict | None = None,
                      timeout: float = 120.0) -> Background:
    """``kb.envs.run_python``'s run, started beside the cells (``nb.background``): returns at
    once; ``.result()`` gives what ``run_python`` would have returned. It stops when its
    ``timeout`` passes, when a cell fails and when the kernel ends."""
    from .envs import REPO, python_command  # kb.envs only for the notebooks that use it

    argv, extra = python_command(*args, overlay=overlay, env=env)
    return background(argv, env=extra, cwd=cwd or REPO, timeout=timeout)
