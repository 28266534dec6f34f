"""Print one entry's write-up in the terminal, then where and how to run its notebook.

The front matter is summarised (title, symptoms, signatures, tags, versions); the body is the
Markdown made plain: headings underlined, code blocks indented, links as `text (address)`.
Last come the paths of the write-up, the notebook and the guard test, and the commands that
run the notebook: `pytest --nbmake PATH` and `kb run ID`.

The entry is looked up in every layer (`kb.roots`); its layer is named with its files.

Exit status: 0 shown, 2 unknown id (the closest ids are suggested), unreadable write-up, or
layers that cannot be read (`[tool.kb]` malformed, an id defined twice), with a one-line reason.
"""

import difflib
import re
import shutil
import sys
import textwrap
from pathlib import Path

from . import INSTALLED, roots
from .entries import Entry, EntryError, parse

FENCE = re.compile(r"^(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def add_arguments(parser) -> None:
    parser.add_argument("id", metavar="ID", help="the entry's id (`kb list` lists them)")
    roots.add_root_argument(parser)


def run(args) -> int:
    try:
        layers = roots.layers(args.root)
        entries, _ = roots.scan(layers)
    except roots.RootError as exc:
        return roots.fail("show", exc)
    ids = [e.id for e in entries]
    path = roots.find(args.id, layers)
    if path is None:
        print(f"kb show: {unknown(args.id, ids, layers[0].path)}", file=sys.stderr)
        return 2
    try:
        entry = parse(path)
    except EntryError as exc:
        print(f"kb show: {exc}", file=sys.stderr)
        return 2
    entry.layer = roots.layer_of(path, layers).label
    print(render(entry))
    return 0


def unknown(entry_id: str, ids: list[str], root: Path) -> str:
    """The one-line reason for an id that is not an entry of ``root``."""
    if not ids:
        return f"no entry {entry_id!r}: {root / 'context'} holds no write-up (give --root or set KB_ROOT)"
    close = difflib.get_close_matches(entry_id, ids, n=3, cutoff=0.5)
    close += [i for i in ids if entry_id and entry_id in i and i not in close][: 3 - len(close)]
    hint = f"did you mean {', '.join(close)}?" if close else "`kb list` lists the entries"
    return f"no entry {entry_id!r}; {hint}"


def render(entry: Entry, width: int | None = None) -> str:
    """The whole terminal text for ``entry``."""
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 100)
    body = plain(entry.body).strip()
    underlined_title = f"{entry.title}\n{'=' * len(str(entry.title))}"
    body = body.removeprefix(underlined_title).strip()  # the summary already shows the title
    parts = [summary(entry, width), body, where(entry)]
    return "\n\n".join(parts) + "\n"


def summary(entry: Entry, width: int) -> str:
    """Title, underlined, then the front matter's lists, each item wrapped under its bullet."""
    title = f"{entry.id}: {entry.title}"
    lines = [title, "=" * min(len(title), width)]
    for label, items in (("Symptoms", _items(entry.symptoms)),
                         ("Signatures", [signature_label(s) for s in _items(entry.signatures)]),
                         ("Tags", [", ".join(_items(entry.tags))]),
                         ("Versions", [", ".join(f"{k} {v}" for k, v in _pairs(entry.versions))])):
        items = [i for i in items if i]
        if not items:
            continue
        lines.append(f"{label}:")
        for item in items:
            lines += textwrap.wrap(item, width, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join(lines)


def signature_label(signature) -> str:
    """A signature in one line: its name and strength (see kb.signature)."""
    if not isinstance(signature, dict):
        return str(signature)
    return f"{signature.get('name', '?')} ({signature.get('strength', '?')})"


def plain(markdown: str) -> str:
    """Markdown as plain text: headings underlined, fenced code indented, links spelled out."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            out.append(f"    {line}" if line else "")
            continue
        heading = HEADING.match(line)
        if heading:
            text = heading.group(2)
            out += [text, ("=" if len(heading.group(1)) == 1 else "-") * len(text)]
            continue
        out.append(LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})",
                            line))
    return "\n".join(out)


def where(entry: Entry) -> str:
    """The files of the entry and the commands that run its notebook."""
    guard = entry.root / "tests" / "guards" / f"test_{entry.id.replace('-', '_')}.py"
    lines = ["Files:" + (f" (layer: {entry.layer})" if entry.layer else ""),
             f"  write-up:  {entry.path}",
             f"  notebook:  {entry.notebook_path}",
             f"  guard:     {guard}",
             (f"Run the notebook (with the pinned tools of {entry.root / 'requirements.txt'}):"
              if (entry.root / "requirements.txt").is_file() else "Run the notebook:"),
             f"  pytest --nbmake {entry.notebook_path}",
             f"  kb run {entry.id}" + _build_hint(entry.root)]
    return "\n".join(lines)


def _build_hint(root: Path) -> str:
    """Installed knowledge lives in site-packages: executed copies go to ./build instead."""
    if root.resolve() == INSTALLED.resolve() or roots.installed(root):
        return " --build build   (executed copy and site in ./build)"
    return f"   (executed copy in {root / 'build' / 'executed'})"


def _pairs(value) -> list:
    return list(value.items()) if isinstance(value, dict) else []


def _items(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
