"""Name the known issues behind a failure: reads a pytest log, a JUnit XML report or a traceback.

The input is normalised (`kb.signature.normalise`: pytest's `E` markers, indentation, colour
codes, path prefixes, addresses) and split into failure reports (pytest's `____ test ____`
sections, `FAILED id - message` lines, unittest's `ERROR:`/`FAIL:` blocks, JUnit `<testcase>`s;
in a text with none of them each traceback not chained to the one before it; else the whole
text). An entry matches a report when one of its signatures holds there (all of its `all`
patterns, one of its `any`, none of its `not`, its `frames` in order). Entries are ranked by
their best evidence: strong before weak, then more matched patterns. For each it prints the
evidence lines, where, and the paths of the write-up and the notebook; a weak match says so.
With two or more failure reports it then lists each failing test (a section and its `FAILED`
line are one) with its own best entry or none, strongest first, and prints the versions the
log shows (pytest's `platform` and `plugins:` lines, pytest-django's `django: version:` line,
site-packages paths, pip-freeze pins, tox environment names), the named entries' notes for
those versions and their Versions-table row (not for an entry named only by frames, which say
where an error was raised, not what it was; a note that names signatures only when one of them
named the entry). A signature whose `when` the versions read contradict does not hold.
When the entries that fit a failure report best fit it equally (same strength, as many matched
lines), its answer is "ambiguous: A or B" (`Failure.tied`, `Triage.answer`), not the first
by entry order.
`--json` keeps `source`, `failures` and `matches` and adds `answer` and `ambiguous`, `reports`
(per failure report, strongest first: `where`, `best`, `also`, `tied`), `versions`, `notes` and
`rows`.

Entries come from every layer (`kb.roots`: the shipped knowledge, then the project's own); each
match names its layer.

Exit status: 0 something matched, 1 nothing matched, 2 unreadable input (missing file,
binary data, text that is not UTF-8, malformed XML) or layers that cannot be read (`[tool.kb]`
malformed, an id defined in two layers) with a one-line reason.
"""

import functools
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from . import roots
from .entries import Entry
from .logsplit import Reports
from .logversions import best_row, parse_notes, read, table_rows
from .results import Failure, Match, Triage
from .signature import Signature, normalise, parse_all, plain
from .triage_text import as_json, format_report


class InputError(Exception):
    """Input that cannot be triaged; the message is one line."""


def add_arguments(parser) -> None:
    parser.add_argument("path", nargs="?", default="-",
                        help="a pytest log, a JUnit XML report or a traceback; - (default) reads stdin")
    parser.add_argument("--json", action="store_true",
                        help="print the matches, each failure report's answer and the versions read as JSON")
    roots.add_root_argument(parser)


def run(args) -> int:
    try:
        if args.path == "-" and sys.stdin.isatty():
            raise InputError("no input: give a PATH or pipe a log into `kb triage -`")
        data = sys.stdin.buffer.read() if args.path == "-" else read_bytes(Path(args.path))
        source = "<stdin>" if args.path == "-" else args.path
        text = decode(data, source)
        entries, errors = roots.scan(roots.layers(args.root))
        report = triage(text, entries, source)
    except InputError as exc:
        print(f"kb triage: {exc}", file=sys.stderr)
        return 2
    except roots.RootError as exc:
        return roots.fail("triage", exc)
    for error in errors:
        print(f"kb triage: skipped {error}", file=sys.stderr)
    print(as_json(report) if args.json else format_report(report))
    return 0 if report.matched else 1


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"cannot read {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {path}: it is a folder") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a BOM is dropped); binary or undecodable data raises ``InputError``."""
    nul = data.find(b"\0")
    if nul >= 0:
        raise InputError(f"{source} is binary (NUL byte at offset {nul}), not a log, JUnit XML or traceback")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source} is not UTF-8 text (undecodable byte at offset {exc.start})") from None


def failures(text: str, source: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(where, text)`` inputs; JUnit XML gives one per failing case."""
    if text.lstrip().startswith(("<?xml", "<testsuite")):
        return junit_failures(text, source)
    return [(source, text)]


def junit_failures(text: str, source: str) -> list[tuple[str, str]]:
    try:
        root = ET.fromstring(text.lstrip())
    except ET.ParseError as exc:
        raise InputError(f"{source} is not well-formed XML ({exc})") from None
    found = []
    for case in root.iter("testcase"):
        for problem in case:
            if problem.tag in ("failure", "error"):
                name = "::".join(filter(None, [case.get("classname"), case.get("name")])) or source
                found.append((name, f"{problem.get('message') or ''}\n{problem.text or ''}"))
    return found


def triage(text: str, entries: list[Entry], source: str = "<input>") -> Triage:
    """Every entry whose signatures hold in a failure report of ``text``, strongest first; each
    failure report with its own entries (``Triage.reports``); the versions ``text`` shows, and
    the notes and Versions-table rows of the entries named for them."""
    report = Triage(source=source, failures=0, matches={})
    report.versions = read(plain(text))
    order = {entry.id: i for i, entry in enumerate(entries)}
    for where, body in failures(text, source):
        reports = Reports(normalise(body), where)
        report.failures += reports.count
        found = []
        for entry in entries:
            for match in match_entry(entry, reports, report.versions):
                report.matches.setdefault(entry.id, []).append(match)
                found.append(match)
        report.reports += per_failure(reports, found, order, len(report.reports))
    report.matches = rank(report.matches, entries)
    report.reports = ranked_failures(report.reports)
    versions_for(report, entries)
    return report


def per_failure(reports: "Reports", found: list[Match], order: dict[str, int], start: int = 0) -> list[Failure]:
    """One ``Failure`` per failing test of ``reports`` (a section and its ``FAILED`` line are one
    test), each with its matches, best first; the rest of the text (the header, ``--tb=line``
    lines, logs) only where it matched an entry that no failing test matched."""
    places: dict[str, list[Match]] = {}
    for match in found:
        places.setdefault(match.where, []).append(match)
    names = reports.names[:-1] if len(reports.names) > 1 else reports.names
    rest = reports.names[-1]
    if rest in places and len(reports.names) > 1:  # listed when it shows a cause no test shows
        shown = {m.entry_id for n in names for m in places.get(n, [])}
        if {m.entry_id for m in places[rest]} - shown:
            names = [*names, rest]
    merged: dict[str, str] = {}  # a section's name -> the summary's node id it is listed under
    pending: dict[str, list[str]] = {}  # failure_key -> sections not merged yet, in order
    for name in dict.fromkeys(n for n in names if "::" not in n):
        pending.setdefault(failure_key(name), []).append(name)
    for name in names:
        if "::" in name and pending.get(key := failure_key(name)):
            merged[pending[key].pop(0)] = name
    listed: dict[str, list[Match]] = {}
    for name in names:
        listed.setdefault(merged.get(name, name), []).extend(places.get(name, []))
    out = []
    for position, (name, matches) in enumerate(listed.items()):
        best: dict[str, Match] = {}
        for match in matches:
            if match.entry_id not in best or match.score > best[match.entry_id].score:
                best[match.entry_id] = match
        ranked = sorted(best.values(), key=lambda m: (-m.score[0], -m.score[1], order.get(m.entry_id, 0)))
        out.append(Failure(name, tuple(ranked), start + position))
    return out


def failure_key(name: str) -> str:
    """What pytest's section name (``Class.test_x[a.b]``, ``setup of test_x``) and the
    summary's node id (``tests/t.py::Class::test_x[a.b]``) of one test have in common:
    ``Class.test_x[a.b]``."""
    if "::" in name:
        name = name.split("::", 1)[1]
    for prefix in ("setup of ", "teardown of ", "call of "):
        name = name.removeprefix(prefix)
    head, bracket, tail = name.partition("[")
    return head.replace("::", ".") + bracket + tail


def ranked_failures(found: list[Failure]) -> list[Failure]:
    """Failures with a match first, by their best evidence (strong, then more lines), then in
    the order the text shows them; those without a match after them."""
    def key(failure: Failure):
        best = failure.matches[0].score if failure.matches else (0, 0)
        return -best[0], -best[1], failure.position
    return sorted(found, key=key)


def versions_for(report: Triage, entries: list[Entry]) -> None:
    """For each entry some failure names first, its notes that hold for the versions read (a
    note scoped to signatures: only when one of them named it) and its Versions-table row."""
    if not report.versions:
        return
    by_id = {entry.id: entry for entry in entries}
    for entry_id, names in named_by_cause(report.reports).items():
        entry = by_id[entry_id]
        for note in entry_notes(entry):
            if note.holds(report.versions) and note.covers(names):
                report.notes.append((entry_id, note))
        if row := best_row(entry_rows(entry), report.versions):
            report.rows.append((entry_id, row))


def named_by_cause(reports: list[Failure]) -> dict[str, set[str]]:
    """The entries some failure report names first (or ties first with, ``Failure.tied``) on
    evidence of their cause (a message pattern), in order, each with the names of the
    signatures that named it: an entry named only by a frames-only signature gets no note and
    no Versions-table row (that frame is on the path of errors the entry does not cover)."""
    found: dict[str, set[str]] = {}
    for failure in reports:
        for match in failure.matches[: len(failure.tied)]:
            if match.basis != "frames":
                found.setdefault(match.entry_id, set()).add(match.signature)
    return found


def entry_notes(entry: Entry) -> list:
    """The entry's usable ``notes`` (``kb lint`` reports the others)."""
    return _notes(_key(entry.notes))


@functools.lru_cache(maxsize=256)
def _notes(key) -> list:
    return parse_notes(_unkey(key))[0]


def entry_rows(entry: Entry) -> list[dict]:
    return _rows(entry.body)


@functools.lru_cache(maxsize=256)
def _rows(body: str) -> list[dict]:
    return table_rows(body)


def rank(matches: dict[str, list[Match]], entries: list[Entry]) -> dict[str, list[Match]]:
    """``matches`` ordered by each entry's best evidence (strong before weak, then more
    matched patterns, then entry order), one match per place."""
    order = {entry.id: i for i, entry in enumerate(entries)}
    best = {i: max(m.score for m in found) for i, found in matches.items()}
    ranked = sorted(matches, key=lambda i: (-best[i][0], -best[i][1], order.get(i, 0)))
    return {i: _first_per_place(matches[i]) for i in ranked}


def match_entry(entry: Entry, reports: "Reports", versions=()) -> list[Match]:
    """The best evidence of ``entry`` in each failure report that holds some. In a plain text
    cut into tracebacks, a signature that holds in none of them alone is judged on the whole
    text (a server's traceback and the test's error are both evidence). ``versions``: what the
    input shows (a signature's ``when`` that they contradict rules it out)."""
    found: dict[int, tuple] = {}
    for signature in compiled(entry):
        hits, held = reports.hits(signature.anchor), False
        if reports.units and hits:
            hits.append(len(reports.starts))
        for index in hits:
            if reports.units and held and index == len(reports.starts):
                break
            evidence = signature.match(reports.text(index), reports.frames(index) if signature.frames else None,
                                       versions)
            if evidence:
                held = True
                if index not in found or evidence.score > found[index][0].score:
                    found[index] = evidence, basis(signature)
    return [Match(entry.id, str(entry.title), ev.name, ev.strength, ev.lines, reports.names[i],
                  entry.path, entry.notebook_path, layer=entry.layer, basis=on)
            for i, (ev, on) in sorted(found.items())]


def basis(signature: Signature) -> str:
    """``Match.basis``: "frames" for a signature with frames and no message pattern."""
    return "frames" if signature.frames and not (signature.all or signature.any) else "message"


def holds(signature: Signature, text: str) -> bool:
    """Whether ``signature`` holds in some failure report of ``text`` (a log, JUnit, a traceback)."""
    versions = read(plain(text)) if signature.when else ()
    for where, body in failures(text, "<text>"):
        reports = Reports(normalise(body), where)
        hits = reports.hits(signature.anchor)
        hits += [len(reports.starts)] if reports.units and hits else []
        if any(signature.match(reports.text(i), None, versions) for i in hits):
            return True
    return False


def compiled(entry: Entry) -> list[Signature]:
    """The entry's usable signatures (``kb lint`` reports the others)."""
    return _compile(_key(entry.signatures))[0]


def _key(raw):
    """A hashable copy of front-matter signatures, for the compile cache."""
    if isinstance(raw, dict):
        return tuple(sorted((k, _key(v)) for k, v in raw.items()))
    if isinstance(raw, list):
        return ("list", tuple(_key(v) for v in raw))
    return raw


def _unkey(key):
    if isinstance(key, tuple) and key[:1] == ("list",):
        return [_unkey(v) for v in key[1]]
    if isinstance(key, tuple):
        return {k: _unkey(v) for k, v in key}
    return key


@functools.lru_cache(maxsize=1024)
def _compile(key) -> tuple[list[Signature], list[str]]:
    return parse_all(_unkey(key))


def _first_per_place(found: list[Match]) -> list[Match]:
    seen, kept = {}, []
    for match in found:
        if match.where not in seen:
            seen[match.where] = len(kept)
            kept.append(match)
        elif match.score > kept[seen[match.where]].score:
            kept[seen[match.where]] = match
    return kept
