"""Where the entries are: knowledge roots in layers, the shipped knowledge first.

A knowledge root is a folder holding ``context/``, ``notebooks/``, ``corpus/`` and
``tests/guards/``. Every verb that reads entries, and the pytest plugin, reads these layers:

1. ``shipped``: the knowledge this package ships, read-only: ``$KB_ROOT`` when set, else the
   nearest ``pyproject.toml`` whose ``[tool.kb]`` says ``shipped = true`` (this repository
   says so of itself), else the source checkout ``kb`` runs from, else ``kb/_knowledge/`` of
   an installed wheel (``kb.knowledge_root``);
2. each folder of ``$KB_PATH`` (``os.pathsep``-separated), in order;
3. the ``entries`` folder of the ``[tool.kb]`` table of each ``pyproject.toml`` from the
   current folder up, nearest first (``kb init`` writes one).

``--root DIR`` (repeatable) replaces all of them: exactly the folders named are read. A
folder named twice is read once. An id defined in two layers is an error naming both
write-ups (``DuplicateEntry``; the verbs exit 2).

``kb new`` writes into the first writable layer: a ``--root``, else the nearest ``[tool.kb]``
root, else the first ``$KB_PATH`` folder; never into an installed package, and never into the
checkout ``kb`` runs from unless the user stands in it and it declares ``[tool.kb]``.
"""

import os
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from . import ENV_ROOT, INSTALLED, knowledge_root

ENV_PATH = "KB_PATH"
SHIPPED = "shipped"
#: the exit status of a verb whose layers are misconfigured or define an id twice
EXIT_CONFIG = 2


class RootError(ValueError):
    """A layer that cannot be used (bad ``[tool.kb]``, an id defined twice); one line."""


class DuplicateEntry(RootError):
    """One id defined in two layers."""


@dataclass(frozen=True)
class Layer:
    path: Path  #: the knowledge root (resolved)
    label: str  #: "shipped"; a [tool.kb] root's `entries`; else its path (relative to the
    #: current folder when below it)
    writable: bool  #: a project's own root, outside any installed package
    project: Path  #: the team's project folder (its pyproject.toml's), where its tests run
    origin: str  #: what named it: "shipped", "--root", "$KB_PATH" or a pyproject.toml path
    shipped: bool = False  #: the shipped knowledge (labelled "shipped")


def _toml(path: Path) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10 (the plugin's oldest): pytest brings tomli there
        import tomli as tomllib
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RootError(f"{path}: cannot read [tool.kb] ({exc.__class__.__name__}: {exc})") from None


def tool_tables(start: Path | None = None) -> list[tuple[Path, dict]]:
    """``(pyproject.toml, its [tool.kb] table)`` from ``start`` (the current folder) up,
    nearest first; a pyproject.toml without the table is passed over."""
    here = (start or Path.cwd()).resolve()
    found = []
    for folder in (here, *here.parents):
        pyproject = folder / "pyproject.toml"
        if not pyproject.is_file():
            continue
        table = _toml(pyproject).get("tool", {}).get("kb")
        if table is None:
            continue
        if not isinstance(table, dict) or not isinstance(table.get("entries"), str) \
                or not table["entries"].strip():
            raise RootError(f"{pyproject}: [tool.kb] needs entries = \"<folder>\" (a path relative "
                            "to this file)")
        if not isinstance(table.get("shipped", False), bool):
            raise RootError(f"{pyproject}: [tool.kb] shipped must be true or false")
        found.append((pyproject, table))
    return found


def installed(path: Path) -> bool:
    """Whether ``path`` lies in an installed package (site-packages, or kb's installed copy)."""
    path = path.resolve()
    places = {INSTALLED, *(Path(p) for p in (sysconfig.get_paths()["purelib"],
                                             sysconfig.get_paths()["platlib"]))}
    return any(path.is_relative_to(p.resolve()) for p in places) or \
        any(part in ("site-packages", "dist-packages") for part in path.parts)


def _label(path: Path, cwd: Path) -> str:
    try:
        shown = path.relative_to(cwd)
        return "." if str(shown) == "." else shown.as_posix()
    except ValueError:
        return str(path)


def _project_of(root: Path) -> Path:
    """The folder of the nearest pyproject.toml at or above ``root`` (else ``root``)."""
    for folder in (root, *root.parents):
        if (folder / "pyproject.toml").is_file():
            return folder
    return root


def layers(roots: list[Path] | None = None, cwd: Path | None = None) -> list[Layer]:
    """The layers to read, in order (see the module docstring). Raises ``RootError``."""
    cwd = (cwd or Path.cwd()).resolve()
    found: list[Layer] = []

    def add(path: Path, shipped: bool, writable: bool, origin: str, project: Path | None = None,
            label: str | None = None):
        path = path.expanduser()
        path = (path if path.is_absolute() else cwd / path).resolve()
        if any(layer.path == path for layer in found):
            return
        writable = writable and not installed(path)
        found.append(Layer(path, SHIPPED if shipped else label or _label(path, cwd), writable,
                           project or _project_of(path), origin, shipped))

    if roots:
        for root in roots:
            add(Path(root), False, True, "--root")
        return found
    tables = tool_tables(cwd)
    declared = [(p, t) for p, t in tables if t.get("shipped")]
    if os.environ.get(ENV_ROOT):
        add(Path(os.environ[ENV_ROOT]), True, False, SHIPPED)
    elif declared:
        pyproject, table = declared[0]
        add(pyproject.parent / table["entries"], True, True, str(pyproject), pyproject.parent)
    else:
        add(knowledge_root(), True, False, SHIPPED)
    for part in filter(None, os.environ.get(ENV_PATH, "").split(os.pathsep)):
        add(Path(part), False, True, f"${ENV_PATH}")
    for pyproject, table in tables:
        add(pyproject.parent / table["entries"], False, True, str(pyproject), pyproject.parent,
            Path(table["entries"]).as_posix())
    return found


def writable_root(roots: list[Path] | None = None, cwd: Path | None = None) -> Layer | None:
    """Where ``kb new`` writes: ``--root``, else the nearest ``[tool.kb]`` root, else the first
    ``$KB_PATH`` folder; None when no writable layer is configured."""
    found = [layer for layer in layers(roots, cwd) if layer.writable]
    for origin_first in ("--root", "pyproject", f"${ENV_PATH}"):
        for layer in found:
            if layer.origin == origin_first or (origin_first == "pyproject"
                                                and layer.origin.endswith("pyproject.toml")):
                return layer
    return None


def scan(found: list[Layer]):
    """Every readable entry of every layer (each with ``layer`` set) and one error per
    unreadable write-up. Raises ``DuplicateEntry`` for an id two layers define."""
    from .entries import scan as scan_root

    entries, errors, seen = [], [], {}
    for layer in found:
        if not layer.path.is_dir():
            continue
        these, bad = scan_root(layer.path)
        for entry in these:
            if entry.id in seen:
                raise DuplicateEntry(f"entry {entry.id!r} is defined twice: {seen[entry.id].path} "
                                     f"({seen[entry.id].layer}) and {entry.path} ({layer.label})")
            entry.layer = layer.label
            seen[entry.id] = entry
            entries.append(entry)
        errors += bad
    return entries, errors


def find(entry_id: str, found: list[Layer]) -> Path | None:
    """The write-up of ``entry_id`` in the layers (the first layer that has it)."""
    for layer in found:
        path = layer.path / "context" / f"{entry_id}.md"
        if path.is_file():
            return path
    return None


def load(entry_id: str, found: list[Layer] | None = None):
    """The entry ``entry_id`` of the layers (default: ``layers()``), its ``layer`` set; raises
    ``kb.entries.EntryError`` when no layer has it."""
    from .entries import EntryError, parse

    found = layers() if found is None else found
    path = find(entry_id, found)
    if path is None:
        raise EntryError(f"no entry {entry_id!r} in {', '.join(str(la.path) for la in found)}")
    entry = parse(path)
    entry.layer = layer_of(path, found).label
    return entry


def layer_of(path: Path, found: list[Layer]) -> Layer | None:
    """The layer a file (a write-up, a notebook) belongs to."""
    path = Path(path).resolve()
    for layer in sorted(found, key=lambda la: len(la.path.parts), reverse=True):
        if path.is_relative_to(layer.path):
            return layer
    return None


def build_folder(found: list[Layer]) -> Path:
    """Where ``kb run`` and ``kb site`` write by default: ``build/`` of the first writable
    layer, else of the first layer outside an installed package, else ``./build``."""
    for layer in [*(la for la in found if la.writable), *found]:
        if not installed(layer.path):
            return layer.path / "build"
    return Path.cwd() / "build"


def fail(verb: str, exc: RootError) -> int:
    """Print a layer problem as one line and return its exit status."""
    print(f"kb {verb}: {exc}", file=sys.stderr)
    return EXIT_CONFIG


def add_root_argument(parser, what: str = "read") -> None:
    parser.add_argument("--root", type=Path, action="append", default=None, metavar="DIR",
                        help=f"a knowledge base to {what} (repeatable); instead of the layers: the "
                             "shipped knowledge, $KB_PATH, [tool.kb] of pyproject.toml")
