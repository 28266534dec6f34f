"""The versions a pasted log shows, and the entry notes and Versions-table rows they select.

Read from the text as pasted (colour codes removed, before ``kb.signature.normalise`` drops the
paths that carry them), in this order of trust (the first source that names a package wins):

- pytest's header: ``platform linux -- Python 3.11.7, pytest-8.3.2, pluggy-1.5.0`` and
  ``plugins: asyncio-0.23.8, django-4.8.0`` (a plugin ``x`` is the distribution
  ``pytest-x`` unless ``PLUGIN_DISTRIBUTIONS`` says otherwise), and pytest-django's
  ``django: version: 5.2.19, settings: ...`` (its ``pytest_report_header``);
- installed distributions in paths: ``site-packages/channels-2.4.0-py3.7.egg``,
  ``site-packages/asgiref-3.2.10.dist-info``;
- pins as ``pip freeze`` prints them, one at the start of a line: ``daphne==3.0.2`` (bug-report
  templates ask for that output; the first pin of a name wins);
- tox environment names: ``py311-django42-channels4: commands[0]>`` (Python 3.11, Django 4.2,
  channels 4: versions without their patch number; ``dj52``, channels' own tox naming, is
  Django 5.2: ``FACTOR_NAMES``);
- interpreter paths: ``lib/python3.9/site-packages/`` (Python 3.9).

An entry's front matter may hold ``notes``: ``[{when: "channels==4.3.0", text: "...", cite:
URL}]`` (``when``: one requirement or a list of them, each ``name`` + PEP 440 comparisons on
release numbers: ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, ``~=``, ``==X.*``; optional
``signatures``: the names of the entry's signatures the note is about, shown only when one of
them named the entry). A note holds
when every requirement's package was read and its version satisfies it; a version read without
its patch number satisfies it when its lowest and its highest patch release both do. A
Versions-table row is chosen only when one of the entry's libraries (a column other than
``CONTEXT``: Python, pytest, pluggy) agrees with a version read. The site's
triage.js reads and compares the same way (kb/browser.py hands it these patterns).
"""

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

#: pytest's header line: Python, pytest and pluggy
PLATFORM = re.compile(r"platform \S+ -- Python (\d+(?:\.\d+)+)\S*, pytest-(\d+(?:\.\d+)+)\S*, pluggy-(\d+(?:\.\d+)+)")
#: pytest-django's header line (``pytest_report_header``: ``django: version: 5.2.19, settings:
#: live_settings (from ini)``; the version comes first when Django was imported)
DJANGO = re.compile(r"(?:^|\n)django: version: (\d+(?:\.\d+)+)")
#: pytest's ``plugins:`` line (the list is split at ", ")
PLUGINS = re.compile(r"plugins: ([^\r\n]+)")
#: one plugin of that line: ``asyncio-0.23.8``
PLUGIN = re.compile(r"^([A-Za-z0-9][\w.-]*?)-(\d+(?:\.\d+)+)")
#: a distribution's folder in a path: ``channels-2.4.0-py3.7.egg``, ``asgiref-3.2.10.dist-info``
DISTRIBUTION = re.compile(r"-packages/([A-Za-z0-9][\w.]*?)-(\d+(?:\.\d+)+)(?:-py\d\.\d+\.egg|\.dist-info)")
#: a pin as ``pip freeze`` prints it, at the start of a line (a list's ``-`` or ``*``, quotes and
#: backticks allowed before it): ``Django==3.2.6``, ``- `pytest-asyncio==1.4.0```
FREEZE = re.compile(r"^[ \t>*`'\"-]*([A-Za-z][A-Za-z0-9_.-]*)==(\d+(?:\.\d+)+)(?![\w.])", re.M)
#: a tox environment at the start of its lines: ``py311-django42: commands[0]>``,
#: ``py38-django32 run-test: ...``, ``ERROR:   py39-channels3: commands failed``
TOX = re.compile(r"py(3)(\d{1,2})((?:-[A-Za-z][A-Za-z_]*?\d+)*)(?:: | run-test)")
#: one factor of a tox name: ``django42`` (4.2), ``channels4`` (4)
FACTOR = re.compile(r"^([A-Za-z][A-Za-z_]*?)(\d)(\d*)$")
#: tox factor names that are not the distribution's: channels' tox says ``py313-dj52``
FACTOR_NAMES = {"dj": "django"}
#: an interpreter's own folder in a path
INTERPRETER = re.compile(r"python(3\.\d{1,2})/(?:site|dist)-packages/")
#: ``plugins:`` names whose distribution is not ``pytest-<name>``
PLUGIN_DISTRIBUTIONS = {"anyio": "anyio", "hypothesis": "hypothesis", "nbmake": "nbmake",
                        "Faker": "faker", "typeguard": "typeguard", "platformdirs": "platformdirs"}
#: what a requirement in ``when`` may say (the site compares these itself)
WHEN = re.compile(r"^[A-Za-z0-9][\w.-]*\s*(?:(?:==|!=|<=|>=|<|>|~=)\s*\d+(?:\.\d+)*(?:\.\*)?\s*,?\s*)+$")
#: the largest patch number a partial version is checked with
HIGHEST = 99999


@dataclass(frozen=True)
class Seen:
    """One version read from a log: the distribution (canonical name), its version, where."""

    name: str
    version: str
    source: str  #: "platform", "plugins", "header", "path", "freeze", "tox"; "installed" (the pytest plugin's own)

    @property
    def exact(self) -> bool:
        """Whether the version has its patch number (pytest prints it; tox names do not)."""
        return self.source in EXACT or self.version.count(".") >= 2


#: sources that print a whole version (patch number included)
EXACT = ("platform", "plugins", "header", "installed")


def read(text: str) -> list[Seen]:
    """The versions ``text`` shows, first source first (see the module docstring)."""
    found: dict[str, Seen] = {}

    def add(name: str, version: str, source: str) -> None:
        key = canonicalize_name(name)
        if key not in found:
            found[key] = Seen(key, version, source)

    if m := PLATFORM.search(text):
        add("python", m.group(1), "platform")
        add("pytest", m.group(2), "platform")
        add("pluggy", m.group(3), "platform")
    if m := PLUGINS.search(text):
        for item in m.group(1).split(", "):
            if p := PLUGIN.match(item.strip()):
                add(PLUGIN_DISTRIBUTIONS.get(p.group(1), "pytest-" + p.group(1)), p.group(2), "plugins")
    if m := DJANGO.search(text):
        add("django", m.group(1), "header")
    for m in DISTRIBUTION.finditer(text):
        add(m.group(1), m.group(2), "path")
    for m in FREEZE.finditer(text):
        add(m.group(1), m.group(2), "freeze")
    if m := TOX.search(text):
        add("python", f"{m.group(1)}.{m.group(2)}", "tox")
        for factor in filter(None, m.group(3).split("-")):
            if f := FACTOR.match(factor):
                add(FACTOR_NAMES.get(f.group(1).lower(), f.group(1)), f.group(2) + (f".{f.group(3)}" if f.group(3) else ""), "tox")
    if m := INTERPRETER.search(text):
        add("python", m.group(1), "path")
    return list(found.values())


def describe(seen: list[Seen]) -> str:
    """``python 3.11.7, pytest 8.3.2, django 4.2 (tox)``: what was read, one line."""
    return ", ".join(f"{s.name} {s.version}" + ("" if s.source in EXACT else f" ({s.source})")
                     for s in seen)


class NoteError(ValueError):
    """A ``notes`` item that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Note:
    when: tuple[str, ...]  #: requirements, as written
    text: str
    cite: str
    #: the entry's signatures the note is about (empty: all); ``kb lint`` checks they exist
    signatures: tuple[str, ...] = ()

    def covers(self, names) -> bool:
        """Whether the note speaks of an entry named by the signatures ``names``."""
        return not self.signatures or any(name in self.signatures for name in names)

    @classmethod
    def parse(cls, raw, index: int = 0) -> "Note":
        label = f"note {index + 1}"
        if not isinstance(raw, dict) or set(raw) - {"when", "text", "cite", "signatures"}:
            raise NoteError(f"{label} must be a mapping with when, text, cite and optional signatures (nothing else)")
        signatures = raw.get("signatures", [])
        signatures = [signatures] if isinstance(signatures, str) else signatures
        if not isinstance(signatures, list) or not all(isinstance(n, str) and n for n in signatures) \
                or "signatures" in raw and not signatures:
            raise NoteError(f"{label}: signatures must be a signature's name or a non-empty list of them")
        when = parse_when(raw.get("when"), label)
        for key in ("text", "cite"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise NoteError(f"{label}: {key} must be a non-empty string")
        if not re.match(r"^https?://\S+$", raw["cite"]):
            raise NoteError(f"{label}: cite must be a URL (the upstream issue, commit or release note)")
        return cls(when, raw["text"].strip(), raw["cite"], tuple(signatures))

    def holds(self, seen: list[Seen]) -> bool:
        by_name = {s.name: s for s in seen}
        for item in self.when:
            requirement = Requirement(item)
            version = by_name.get(canonicalize_name(requirement.name))
            if version is None or not satisfies(version, requirement.specifier):
                return False
        return True


def parse_when(when, label: str) -> tuple[str, ...]:
    """A note's or a signature's ``when``: one requirement or a list of them (``NoteError``)."""
    when = [when] if isinstance(when, str) else when
    if not isinstance(when, list) or not when or not all(isinstance(w, str) for w in when):
        raise NoteError(f"{label}: when must be a requirement such as 'channels==4.3.0' or a list of them")
    for item in when:
        if not WHEN.match(item):
            raise NoteError(f"{label}: {item!r} must be a name and release comparisons (==, !=, <, <=, >, >=, ~=, ==X.*)")
        try:
            Requirement(item)
        except InvalidRequirement as exc:
            raise NoteError(f"{label}: {item!r} is not a requirement ({exc})") from None
    return tuple(when)


def contradicts(when: tuple[str, ...], seen) -> bool:
    """Whether a version in ``seen`` fails one of the requirements ``when``: a signature's
    ``when`` rules it out only on evidence (a version not read, or read without its patch
    number, as tox names show them, contradicts nothing)."""
    by_name = {s.name: s for s in seen}
    for item in when:
        requirement = Requirement(item)
        version = by_name.get(canonicalize_name(requirement.name))
        if version is not None and version.exact and not satisfies(version, requirement.specifier):
            return True
    return False


def satisfies(seen: Seen, specifier: SpecifierSet) -> bool:
    """Whether the release ``seen`` read satisfies ``specifier`` (a partial one at both ends)."""
    try:
        release = Version(seen.version).release
    except InvalidVersion:
        return False
    ends = [release] if seen.exact else [release + (0,), release + (HIGHEST,)]
    return all(specifier.contains(Version(".".join(map(str, end))), prereleases=True) for end in ends)


def parse_notes(raw) -> tuple[list[Note], list[str]]:
    """An entry's usable notes and one message per unusable one (``raw`` None: no notes)."""
    if raw is None:
        return [], []
    if not isinstance(raw, list):
        return [], ["notes must be a list of {when, text, cite}"]
    notes, problems = [], []
    for index, item in enumerate(raw):
        try:
            notes.append(Note.parse(item, index))
        except NoteError as exc:
            problems.append(str(exc))
    return notes, problems


#: a Versions table's column names as distributions
COLUMNS = {"python": "python", "redis-py": "redis"}
TABLE = re.compile(r"^\| version set \|(.*)\|\s*$\n^\|[- |]+\|\s*$\n((?:^\|.*\|\s*$\n?)+)", re.M)


def table_rows(body: str) -> list[dict]:
    """The rows of a write-up's generated Versions table: ``{"set", "versions", "line"}``."""
    found = TABLE.search(body)
    if not found:
        return []
    headers = [c.strip() for c in found.group(1).split("|")]
    names = [canonicalize_name(COLUMNS.get(h.lower(), h)) for h in headers]
    rows = []
    for line in found.group(2).strip().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        versions = {n: c for n, c in zip(names, cells[1:], strict=False) if re.match(r"^\d+(?:\.\d+)*$", c)}
        shown = ", ".join(f"{h} {c}" for h, c in zip(headers, cells[1:], strict=False))
        rows.append({"set": cells[0], "versions": versions, "line": f"{cells[0]}: {shown}"})
    return rows


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0])[:4]) if version else ()


def agrees(seen: Seen, cell: str) -> bool:
    """The table's version ``cell`` is the one read (its first numbers, for a partial one)."""
    read, row = list(_release(seen.version)), list(_release(cell))
    if not seen.exact:
        return row[: len(read)] == read
    width = max(len(read), len(row))
    return read + [0] * (width - len(read)) == row + [0] * (width - len(row))


#: table columns that say where a test ran, not which libraries it ran: agreeing on them alone
#: (Python 3.12, pytest 8.4.2) picks no row
CONTEXT = frozenset({"python", "pytest", "pluggy"})


def best_row(rows: list[dict], seen: list[Seen]) -> dict | None:
    """The one row that agrees with the most versions read and contradicts none, and agrees
    on at least one of the entry's libraries (not only ``CONTEXT``), as a copy with
    ``agreed``: the versions read it agrees on. None: no such row, or two rows agree as well
    (the versions read cannot tell them apart)."""
    best, most, tied = None, 0, False
    for row in rows:
        shared = [s for s in seen if s.name in row["versions"]]
        if any(not agrees(s, row["versions"][s.name]) for s in shared):
            continue
        if not any(s.name not in CONTEXT for s in shared):
            continue
        if len(shared) > most:
            best, most, tied = {**row, "agreed": [f"{s.name} {s.version}" for s in shared]}, len(shared), False
        elif len(shared) == most:
            tied = True
    return None if tied else best
