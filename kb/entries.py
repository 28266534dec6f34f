"""Entries: a write-up ``context/<id>.md`` (YAML front matter + sections) and its notebook."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import REPO

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
REQUIRED_KEYS = ("id", "title", "symptoms", "signatures", "notebook", "versions", "seeds", "tags")
SECTIONS = ("Symptom", "Root cause", "Reproduce", "Fix", "Guard", "Versions")


class EntryError(ValueError):
    """A write-up that cannot be read; the message is one line naming the file."""


@dataclass
class Entry:
    id: str
    title: str
    symptoms: list[str]
    signatures: list[str]
    notebook: str
    versions: dict
    seeds: list[str]
    tags: list[str]
    path: Path
    body: str = field(repr=False, default="")

    @property
    def notebook_path(self) -> Path:
        return REPO / self.notebook

    def section(self, name: str) -> str:
        """The text of ``## name`` up to the next ``## `` heading ("" when absent)."""
        found = re.search(rf"^## {re.escape(name)}\s*$(.*?)(?=^## |\Z)", self.body, re.M | re.S)
        return found.group(1).strip() if found else ""

    def patterns(self) -> list[re.Pattern]:
        return [re.compile(s, re.M) for s in self.signatures]


def parse(path: Path) -> Entry:
    text = path.read_text(encoding="utf-8")
    found = FRONT_MATTER.match(text)
    if not found:
        raise EntryError(f"{path}: no YAML front matter (a '---' block at the top)")
    try:
        meta = yaml.safe_load(found.group(1)) or {}
    except yaml.YAMLError as exc:
        raise EntryError(f"{path}: front matter is not valid YAML ({exc.__class__.__name__})") from None
    if not isinstance(meta, dict):
        raise EntryError(f"{path}: front matter must be a mapping")
    missing = [k for k in REQUIRED_KEYS if k not in meta]
    if missing:
        raise EntryError(f"{path}: front matter lacks {', '.join(missing)}")
    fields = {k: meta[k] for k in REQUIRED_KEYS}
    return Entry(**fields, path=path, body=text[found.end():])


def load_all(root: Path = REPO) -> list[Entry]:
    return [parse(p) for p in sorted((root / "context").glob("*.md")) if p.name != "README.md"]


def load(entry_id: str, root: Path = REPO) -> Entry:
    path = root / "context" / f"{entry_id}.md"
    if not path.exists():
        raise EntryError(f"no entry {entry_id!r} ({path} does not exist)")
    return parse(path)
