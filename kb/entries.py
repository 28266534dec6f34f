"""Entries: a write-up ``context/<id>.md`` (YAML front matter + sections) and its notebook.

``parse`` reads one write-up and checks only that the front matter exists and has every key;
``kb lint`` checks the rest (types, sections, signatures, the notebook).
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import REPO

# libyaml's loader where PyYAML has it (its wheels do), about 10x faster than the pure-Python
# SafeLoader, which was most of loading the entries (every kb command, and the pytest plugin in
# every failing session). Where both read a document they give the same values (the same Python
# constructor and resolver). A document libyaml refuses is read again by SafeLoader, whose error
# (and line) is what kb reports: libyaml places some errors a line later. libyaml also reads a few
# that SafeLoader refuses (a tab as a separator, `?` in a flow scalar such as `[why?]`): `kb lint`
# reads each write-up with SafeLoader too (``strict_front_matter``), so such a write-up fails lint
# as it would on a PyYAML without libyaml.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def strict_front_matter(path: Path) -> str | None:
    """SafeLoader's refusal of ``path``'s front matter (one line, as ``parse`` words it), or None."""
    text = path.read_text(encoding="utf-8")
    found = FRONT_MATTER.match(text)
    if not found:
        return None  # parse says so
    try:
        yaml.safe_load(found.group(1))
    except yaml.YAMLError as exc:
        return yaml_error(exc)
    return None


def yaml_error(exc: "yaml.YAMLError") -> str:
    """``front matter is not valid YAML at line N (ScannerError)``: N counts the file's lines."""
    where = getattr(exc, "problem_mark", None)
    at = f" at line {where.line + 2}" if where is not None else ""
    return f"front matter is not valid YAML{at} ({exc.__class__.__name__})"


def safe_load(text: str):
    """``yaml.safe_load(text)``, with libyaml when PyYAML has it; SafeLoader's error when it fails."""
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(text)  # raises SafeLoader's own error (or parses what libyaml would not)

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
REQUIRED_KEYS = ("id", "title", "symptoms", "signatures", "notebook", "versions", "seeds", "tags")
SECTIONS = ("Symptom", "Root cause", "Reproduce", "Fix", "Guard", "Versions")
FENCED = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)
INLINE_CODE = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


class EntryError(ValueError):
    """A write-up that cannot be read; the message is one line naming the file."""


@dataclass
class Entry:
    id: str
    title: str
    symptoms: list[str]
    signatures: list[dict]  #: mappings, see kb.signature
    notebook: str
    versions: dict
    seeds: list[str]
    tags: list[str]
    path: Path
    body: str = field(repr=False, default="")
    #: 1-based line number of the body's first line in the file (after the front matter).
    body_line: int = field(repr=False, default=1)
    #: optional: version-scoped notes ``[{when, text, cite}]`` (kb.logversions), None without
    notes: list | None = field(repr=False, default=None)
    #: the layer it was read from (``kb.roots``): "shipped" or the project root's path
    layer: str = field(repr=False, compare=False, default="")

    @property
    def root(self) -> Path:
        """The knowledge base this entry belongs to (the folder holding ``context/``)."""
        return self.path.parent.parent

    @property
    def notebook_path(self) -> Path:
        return self.root / self.notebook

    def section(self, name: str) -> str:
        """The text of ``## name`` up to the next ``## `` heading ("" when absent)."""
        found = re.search(rf"^## {re.escape(name)}\s*$(.*?)(?=^## |\Z)", self.body, re.M | re.S)
        return found.group(1).strip() if found else ""

    def failure_texts(self) -> list[str]:
        """The failure texts the Symptom section quotes: fenced code blocks and `code spans`."""
        return quoted_code(self.section("Symptom"))


def quoted_code(markdown: str) -> list[str]:
    """Every fenced code block (whole) and inline code span of ``markdown``, in order."""
    blocks = [m.group(2).rstrip("\n") for m in FENCED.finditer(markdown)]
    prose = FENCED.sub("", markdown)
    spans = [m.group(2).strip() if m.group(1) != "`" else m.group(2)
             for m in INLINE_CODE.finditer(prose)]
    return [text for text in blocks + spans if text.strip()]


def parse(path: Path) -> Entry:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EntryError(f"{path}: cannot read ({exc.__class__.__name__})") from None
    found = FRONT_MATTER.match(text)
    if not found:
        raise EntryError(f"{path}: no YAML front matter (a '---' block at the top)")
    try:
        meta = safe_load(found.group(1)) or {}
    except yaml.YAMLError as exc:
        raise EntryError(f"{path}: {yaml_error(exc)}") from None
    if not isinstance(meta, dict):
        raise EntryError(f"{path}: front matter must be a mapping")
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise EntryError(f"{path}: front matter lacks {', '.join(missing)}")
    fields = {k: meta[k] for k in REQUIRED_KEYS}
    body_line = text[: found.end()].count("\n") + 1
    return Entry(**fields, path=path, body=text[found.end():], body_line=body_line, notes=meta.get("notes"))


def writeup_paths(root: Path = REPO) -> list[Path]:
    """``context/*.md`` of a knowledge base, sorted; ``context/README.md`` is not an entry."""
    return [p for p in sorted((root / "context").glob("*.md")) if p.name != "README.md"]


def load_all(root: Path = REPO) -> list[Entry]:
    """Every entry of ``root``; raises ``EntryError`` on the first unreadable write-up."""
    return [parse(p) for p in writeup_paths(root)]


def scan(root: Path = REPO) -> tuple[list[Entry], list[EntryError]]:
    """Every readable entry, and one error per unreadable write-up (for tools that go on)."""
    entries, errors = [], []
    for path in writeup_paths(root):
        try:
            entries.append(parse(path))
        except EntryError as exc:
            errors.append(exc)
    return entries, errors


def load(entry_id: str, root: Path = REPO) -> Entry:
    path = root / "context" / f"{entry_id}.md"
    if not path.exists():
        raise EntryError(f"no entry {entry_id!r} ({path} does not exist)")
    return parse(path)
