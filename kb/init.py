"""Set a project up for its own entries: a `[tool.kb]` table and the knowledge folder.

In the project's `pyproject.toml` (the current folder's, or --project's; created when there
is none) it appends

    [tool.kb]
    entries = "docs/failures"

(--entries names another folder, relative to the project), keeping every byte already there,
and creates the folder with `context/`, `notebooks/`, `corpus/` and `tests/guards/`. From then
on, in that project, `kb new` writes there, and `kb list`, `show`, `triage`, `lint`, `run`,
`site`, `corpus` and the pytest plugin read it as a layer over the shipped knowledge.
Run it again and nothing changes.

Exit status: 0 set up (or already set up with the same folder), 2 the project is inside an
installed package, its pyproject.toml is not valid TOML, or it names another folder already.
"""

import sys
from pathlib import Path

from . import roots

DEFAULT = "docs/failures"
FOLDERS = ("context", "notebooks", "corpus", "tests/guards")


class InitError(Exception):
    """A one-line reason why nothing was changed."""


def add_arguments(parser) -> None:
    parser.add_argument("--entries", default=DEFAULT, metavar="FOLDER",
                        help=f"the knowledge folder, relative to the project (default: {DEFAULT})")
    parser.add_argument("--project", type=Path, default=None, metavar="DIR",
                        help="the project's folder, where pyproject.toml is (default: the current one)")


def run(args) -> int:
    try:
        pyproject, root, changed = init(args.project or Path.cwd(), args.entries)
    except (InitError, roots.RootError) as exc:
        print(f"kb init: {exc}", file=sys.stderr)
        return 2
    if changed:
        print(f"{pyproject}: added [tool.kb] entries = {args.entries!r}")
    else:
        print(f"{pyproject}: [tool.kb] entries = {args.entries!r} already")
    print(f"knowledge root: {root}")
    print('next: kb new "Title of the failure"')
    return 0


def init(project: Path, entries: str = DEFAULT) -> tuple[Path, Path, bool]:
    """Add ``[tool.kb]`` to ``project``'s pyproject.toml and create the folder; returns the
    file, the knowledge root and whether the file changed. Raises ``InitError``."""
    project = project.resolve()
    if roots.installed(project):
        raise InitError(f"{project} is inside an installed package: run kb init in your project")
    relative = Path(entries)
    if relative.is_absolute() or ".." in relative.parts or not entries.strip():
        raise InitError(f"--entries {entries!r} must be a folder inside the project (a relative path)")
    pyproject = project / "pyproject.toml"
    before = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if before:
        table = roots._toml(pyproject).get("tool", {}).get("kb")
        if table is not None:
            if isinstance(table, dict) and table.get("entries") == relative.as_posix():
                return pyproject, _folders(project / relative), False
            raise InitError(f"{pyproject} has a [tool.kb] table already ({table!r}): edit it by hand")
    addition = f'[tool.kb]\n# this project\'s own failure entries (kb new writes here)\nentries = "{relative.as_posix()}"\n'
    after = before + ("\n" if before and not before.endswith("\n") else "") + ("\n" if before else "") + addition
    pyproject.write_text(after, encoding="utf-8")
    try:
        table = roots._toml(pyproject).get("tool", {}).get("kb")
    except roots.RootError:
        table = None
    if not (isinstance(table, dict) and table.get("entries") == relative.as_posix()):
        pyproject.write_text(before, encoding="utf-8") if before else pyproject.unlink()
        raise InitError(f"{pyproject}: appending [tool.kb] would not read back (a [tool] table "
                        "defines kb another way?): nothing changed")
    return pyproject, _folders(project / relative), True


def _folders(root: Path) -> Path:
    for name in FOLDERS:
        (root / name).mkdir(parents=True, exist_ok=True)
    return root
