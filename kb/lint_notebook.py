"""``kb lint``'s notebook checks (no outputs, a timeout, the parameters cell, ``check_claims``
last), the write-up's claim links into notebook cells, and scaffold placeholders left behind."""

import ast
import json
import re
from pathlib import Path

from .entries import Entry
from .results import Problem

PLACEHOLDER = "TODO(kb new)"


#: a write-up's link to the notebook cell that shows a claim: ``(../notebooks/<id>.ipynb#cell-id=<cell id>)``
CELL_LINK = re.compile(r"\]\((?:\.\./)?notebooks/([a-z0-9-]+)\.ipynb#cell-id=([^)\s]+)\)")


#: an entry's key claims (its symptom, its root cause, its fix) each link to a cell
MIN_CELL_LINKS = 3


def cell_links(entry: Entry) -> list[Problem]:
    """Each claim link names a code cell that exists (cells keep their ids when others move),
    and the write-up has at least ``MIN_CELL_LINKS`` of them into its own notebook. Links into
    a notebook that is missing or unreadable are left to the notebook's own problem."""
    problems, cells = [], {}
    stem = entry.path.stem
    for notebook_id in {stem} | {n for n, _ in CELL_LINK.findall(entry.body)}:
        try:
            nb = json.loads((entry.root / "notebooks" / f"{notebook_id}.ipynb").read_text(encoding="utf-8"))
            cells[notebook_id] = {c.get("id"): c.get("cell_type") for c in nb.get("cells", [])}
        except (OSError, ValueError, AttributeError):
            cells[notebook_id] = None
    links = CELL_LINK.findall(entry.body)
    own = sum(1 for notebook_id, _ in links if notebook_id == stem)
    if own < MIN_CELL_LINKS and cells[stem] is not None:
        problems.append(Problem(entry.path, f"{own} claim link(s) into notebooks/{stem}.ipynb, want "
                                            f"{MIN_CELL_LINKS}+: link the symptom, root cause and fix to the cells "
                                            "that show them (CONTRIBUTING.md)", "cell-link"))
    for notebook_id, cell_id in links:
        if cells[notebook_id] is None:
            continue
        kind = cells[notebook_id].get(cell_id)
        if kind != "code":
            problems.append(Problem(entry.path, f"link to notebooks/{notebook_id}.ipynb cell {cell_id!r}: "
                                                + ("not a code cell" if kind else "no such cell"), "cell-link"))
    return problems


def lint_notebook(path: Path, entry_id: str) -> list[Problem]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
        metadata = nb.get("metadata", {})
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        return [Problem(path, f"not a readable notebook ({exc.__class__.__name__})", "notebook")]
    problems = []
    with_outputs = [i for i, c in enumerate(cells, 1) if c.get("outputs")]
    counted = [i for i, c in enumerate(cells, 1) if c.get("execution_count") is not None]
    if with_outputs:
        problems.append(Problem(path, f"committed with outputs (cells {_numbers(with_outputs)}): clear them",
                                "notebook-outputs"))
    if counted:
        problems.append(Problem(path, f"committed with execution counts (cells {_numbers(counted)}): clear them",
                                "notebook-outputs"))
    timeout = metadata.get("execution", {}).get("timeout") if isinstance(metadata.get("execution"), dict) else None
    if not (isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0):
        problems.append(Problem(path, "metadata.execution.timeout must be a positive number of seconds",
                                "notebook-timeout"))
    if (metadata.get("kernelspec") or {}).get("name") != "python3":
        problems.append(Problem(path, "metadata.kernelspec.name must be 'python3'", "notebook-kernel"))
    code = [c for c in cells if c.get("cell_type") == "code"]
    tagged = [c for c in code if "parameters" in (c.get("metadata", {}).get("tags") or [])]
    if not tagged:
        problems.append(Problem(path, "no code cell tagged 'parameters'", "notebook-parameters"))
    else:
        names = assigned(_source(tagged[0]))
        lacking = [n for n in ("channel_layer", "timeout_s") if n not in names]
        if lacking:
            problems.append(Problem(path, f"the parameters cell does not set {', '.join(lacking)}",
                                    "notebook-parameters"))
    last = _source(code[-1]) if code else ""
    if not re.search(rf"check_claims\(\s*['\"]{re.escape(entry_id)}['\"]", last):
        problems.append(Problem(path, f"the last code cell must call nb.check_claims({entry_id!r}, ...)",
                                "notebook-claims"))
    problems += placeholders(path, [_source(cell) for cell in cells], "cell")
    return problems


def placeholders(path: Path, parts: list[str], unit: str) -> list[Problem]:
    """One problem naming every line (or cell) of ``parts`` that still holds the placeholder."""
    found = [n for n, text in enumerate(parts, 1) if PLACEHOLDER in text]
    if not found:
        return []
    where = f"{unit}{'s' * (len(found) > 1)} {_numbers(found)}"
    return [Problem(path, f"placeholder {PLACEHOLDER} left ({where}): write it", "placeholder",
                    line=found[0] if unit == "line" else None)]


def assigned(source: str) -> set[str]:
    """Names a cell assigns at top level (an unparsable cell assigns nothing)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _numbers(numbers: list[int]) -> str:
    return ", ".join(map(str, numbers[:8])) + (" ..." if len(numbers) > 8 else "")
