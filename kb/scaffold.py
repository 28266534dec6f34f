"""Create a new entry from templates: write-up, notebook and guard test.

Writes `context/<id>.md` (front matter and the six sections), `notebooks/<id>.ipynb`
(the standard skeleton with a `parameters` cell, no outputs) and
`tests/guards/test_<id with underscores>.py`. The id is a slug made from the title unless
`--id` gives one. Every place still to write holds `TODO(kb new)`, which `kb lint`
reports, and the notebook and guard test fail until written: an unfinished entry cannot pass.

It writes only into a project's own knowledge root (`kb.roots`): a --root, else the nearest
`[tool.kb]` root from the current folder up (`kb init` adds one), else the first $KB_PATH
folder; never into an installed package. In this repository, its `pyproject.toml` declares
`[tool.kb] entries = "."`: entries go into the checkout you stand in. Two shapes
(`--shape`): `harness`, the shipped entries' notebook on this repository's harness (the
default where the root has `harness/`), and `project`, a team's notebook that runs the team's
own tests with `kb.team` (the default elsewhere).

Exit status: 0 created, 2 bad id or title, no project root configured (it says how to
configure one), a root inside an installed package, or the entry (any of its files) exists
already: nothing is overwritten.
"""

import json
import platform
import re
import sys
import unicodedata
from importlib import metadata
from pathlib import Path
from string import Template

from . import roots
from .lint import SLUG, guard_path

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: the versions a new write-up starts from: what this environment has installed
VERSIONED = ("django", "channels", "channels-redis", "daphne", "websockets", "pytest", "pytest-asyncio")
SHAPES = {"harness": ("notebook.ipynb.tmpl", "guard.py.tmpl"),
          "project": ("notebook-project.ipynb.tmpl", "guard-project.py.tmpl")}
NO_ROOT = ("no project knowledge root to write into (kb new never writes into the installed "
           "package): run `kb init` in your project (adds [tool.kb] entries = \"docs/failures\" "
           "to pyproject.toml), or set KB_PATH, or give --root DIR")


class ScaffoldError(Exception):
    """A one-line reason why nothing was created."""


def add_arguments(parser) -> None:
    parser.add_argument("title", help="the entry's title: the failure and its cause, in one line")
    parser.add_argument("--id", dest="entry_id", metavar="SLUG",
                        help="the entry's id (default: made from the title)")
    parser.add_argument("--root", type=Path, default=None, metavar="DIR",
                        help="the knowledge root to write into (default: the project's nearest "
                             "[tool.kb] root, else the first $KB_PATH folder)")
    parser.add_argument("--shape", choices=sorted(SHAPES), default=None,
                        help="harness: a notebook on this repository's harness; project: one that "
                             "runs your project's tests (default: harness where ROOT has harness/)")


def run(args) -> int:
    try:
        if args.root is not None and roots.installed(args.root):
            raise ScaffoldError(f"{args.root} is inside an installed package: kb new writes only "
                                "into a project's own knowledge root")
        layer = roots.writable_root([args.root] if args.root is not None else None)
        if layer is None:
            raise ScaffoldError(NO_ROOT)
        root = layer.path
        shape = args.shape or ("harness" if (root / "harness").is_dir() else "project")
        paths = create(root, args.title, args.entry_id, shape)
    except (ScaffoldError, roots.RootError) as exc:
        print(f"kb new: {exc}", file=sys.stderr)
        return 2
    for path in paths:
        print(f"created {path.relative_to(root) if path.is_relative_to(root) else path}")
    print(f"in {root} ({'the shipped knowledge' if layer.shipped else 'layer ' + layer.label}; "
          f"{shape} shape)")
    print("next: replace every TODO(kb new), then `kb lint` and `pytest --nbmake` the notebook")
    return 0


def slugify(title: str, limit: int = 60) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug


def create(root: Path, title: str, entry_id: str | None = None, shape: str = "harness") -> list[Path]:
    """Write the three files of a new entry in ``shape`` (``SHAPES``); returns their paths.
    Raises ``ScaffoldError``."""
    title = " ".join(title.split())
    if not title:
        raise ScaffoldError("the title is empty")
    entry_id = entry_id if entry_id is not None else slugify(title)
    if not SLUG.match(entry_id):
        raise ScaffoldError(f"id {entry_id!r} is not a slug (lower-case letters, digits, single '-')"
                            if entry_id else "cannot make an id from this title: give --id")
    writeup = root / "context" / f"{entry_id}.md"
    notebook = root / "notebooks" / f"{entry_id}.ipynb"
    guard = guard_path(root, entry_id)
    for path in (writeup, notebook, guard):
        if path.exists():
            raise ScaffoldError(f"entry {entry_id!r} exists already ({path.relative_to(root)}); "
                                "nothing written")
    versions = installed_versions()
    values = {
        "id": entry_id,
        "title": title,
        "title_yaml": json.dumps(title, ensure_ascii=False),
        "versions": "{" + ", ".join(f"{k}: {json.dumps(v)}" for k, v in versions.items()) + "}",
        "versions_prose": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "guard": str(guard.relative_to(root)),
        "func": entry_id.replace("-", "_") + "_stays_fixed",
    }
    texts = {
        writeup: fill("entry.md", values),
        notebook: fill(SHAPES[shape][0], {k: json.dumps(v)[1:-1] for k, v in values.items()}),
        guard: fill(SHAPES[shape][1], values),
    }
    written = []
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as out:  # "x": never overwrite, even in a race
                out.write(text)
            written.append(path)
    except OSError as exc:
        for path in written:
            path.unlink()
        raise ScaffoldError(f"cannot write {exc.filename}: {exc.strerror or exc}") from None
    return written


def fill(template: str, values: dict) -> str:
    return Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)


def installed_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found
