"""What a team's own entry notebook imports (`from kb import team as nb`); prints nothing.

A team's entry (a project's own knowledge root, ``kb.roots``) reproduces a failure of the
team's own project: its settings, its conftest and fixtures, its tests. So this module sets
nothing up (no Django, no harness settings); it gives the shipped notebooks' helpers that apply
to any project:

- ``project()``: the project's folder (the ``pyproject.toml`` whose ``[tool.kb]`` names the
  root), found from the notebook's folder up;
- ``run_pytest(*args)``: pytest in a subprocess in that folder, with a time limit; the result's
  ``returncode``, ``output``, ``outcomes`` ({"failed": 1, ...}) and ``summary``;
- ``run_guard(id)``: the entry's guard file ``<root>/tests/guards/test_<id>.py``, run in the
  project; every test must pass;
- ``check_claims(id, observed, quoted)``: the last cell, as in the shipped notebooks: the
  entry's captured corpus (``kb corpus``) triages to it among every layer's entries, each
  signature matches a capture, what the notebook observed appears in a capture, and the quoted
  texts appear in the write-up.

Real servers for a project's tests: ``harness.servers.redis_server()`` and
``daphne_server(...)`` (installed with this package) start and stop them the same way.
"""

import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from . import roots

SUMMARY = re.compile(r"(\d+ \w+|no tests ran).* in [\d.]+s")
#: what makes a child's output differ by machine (as harness.servers.MACHINE_VARIABLES)
MACHINE_VARIABLES = ("CI", "BUILD_NUMBER", "FORCE_COLOR", "CLICOLOR_FORCE", "PYTEST_ADDOPTS")


def project(start: Path | None = None) -> Path:
    """The nearest project folder with a ``[tool.kb]`` table, from ``start`` (the current
    folder: the notebook's, under nbmake and kb run) up; else ``start`` itself."""
    tables = roots.tool_tables(start)
    return tables[0][0].parent if tables else (start or Path.cwd()).resolve()


def run_pytest(*args: str, timeout: float = 120.0, cwd=None, env: dict | None = None,
               python=None) -> SimpleNamespace:
    """Run pytest in a subprocess in the project (``cwd``, default ``project()``).

    ``-p no:cacheprovider`` and ``--color=no`` are added; the knowledge base's plugin stays on,
    so a failing run also names the entries that match. ``python`` runs another interpreter.
    The caller's ``MACHINE_VARIABLES`` are left out, ``PYTEST_ADDOPTS`` among them, so a notebook
    prints the same in a terminal, under ``make test --durations`` and on CI: options the
    session needs go in ``args``, or ``env={"PYTEST_ADDOPTS": ...}``.
    """
    import os

    child = {**{k: v for k, v in os.environ.items() if k not in MACHINE_VARIABLES},
             "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    proc = subprocess.run(
        [str(python or sys.executable), "-m", "pytest", "-q", "--color=no", "-p", "no:cacheprovider",
         *args],
        cwd=cwd or project(), capture_output=True, text=True, timeout=timeout, env=child)
    summaries = [line for line in proc.stdout.splitlines() if SUMMARY.search(line)]
    summary = summaries[-1] if summaries else ""
    outcomes = {kind: int(n) for n, kind in re.findall(r"(\d+) (\w+)", summary)}
    return SimpleNamespace(returncode=proc.returncode, output=proc.stdout + proc.stderr,
                           outcomes=outcomes, summary=summary.strip("= "))


def run_guard(entry_id: str, timeout: float = 300.0) -> SimpleNamespace:
    """Run the entry's guard file in its project; assert that at least one test ran and every
    test passed (a skipped guard guards nothing); print pytest's summary line."""
    from .lint import guard_path

    found = roots.layers()
    entry = roots.load(entry_id, found)
    layer = roots.layer_of(entry.path, found)
    where = layer.project if layer is not None else project()
    path = guard_path(entry.root, entry_id)
    result = run_pytest(str(path), timeout=timeout, cwd=where, env={"COLUMNS": "200"})
    guard_passed(result, path.relative_to(where) if path.is_relative_to(where) else path)
    return result


def guard_passed(result: SimpleNamespace, path) -> None:
    """A guard run proves something only if it ran a test and every test passed (no failure,
    error or skip: a skipped guard guards nothing); prints pytest's summary line."""
    assert result.returncode == 0, result.output
    assert result.outcomes.get("passed", 0) > 0, result.output
    unexpected = set(result.outcomes) - {"passed", "warning", "warnings"}
    assert not unexpected, f"{path}: {result.outcomes}"
    print(f"{path}: {result.summary}")


def check_claims(entry_id: str, observed: list[str], quoted: list[str] = ()) -> None:
    """The last cell of every notebook, shipped (``kb.notebook``) or a team's: tie the
    write-up to real output and to this notebook (see the module docstring). Raises
    ``AssertionError`` naming the first claim that drifted."""
    from .corpus import texts
    from .lint import signatures
    from .lint_corpus import corpus
    from .signature import normalise

    found = roots.layers()
    entry = roots.load(entry_id, found)
    entries, _ = roots.scan(found)
    problems = signatures(entry) + corpus(entry, entries)
    assert not problems, "; ".join(p.format(entry.root) for p in problems)
    seen = [normalise(text) for path, text in texts(entry.root, entry_id)
            if path.parent.parent.name == "captured"]
    for text in observed:
        line = normalise(text).strip()
        assert any(line in t for t in seen), (
            f"the notebook observed {text!r}, which no capture in corpus/{entry_id}/captured shows")
    for text in quoted:
        assert text in entry.body, f"the write-up does not quote {text!r}"
