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
log shows (pytest's `platform` and `plugins:` lines, site-packages paths, tox environment
names), the named entries' notes for those versions and their Versions-table row.
`--json` keeps `source`, `failures` and `matches` and adds `reports` (per failure report,
strongest first: `where`, `best`, `also`), `versions`, `notes` and `rows`.

Exit status: 0 something matched, 1 nothing matched, 2 unreadable input (missing file,
binary data, text that is not UTF-8, malformed XML) with a one-line reason.
"""

import bisect
import functools
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from . import REPO
from .entries import Entry, scan
from .logversions import best_row, describe, parse_notes, read, table_rows
from .results import Failure, Match, Triage
from .signature import Signature, frames, needles, normalise, parse_all, plain  # noqa: F401 - plain: kb.soak

# Line patterns of a pytest log. Each starts with "\n" (and the text is searched with a "\n"
# in front) because a literal first character lets the regex engine skip ahead fast.
#: pytest's per-test report header: ``____ test_name ____`` / ``____ ERROR at setup of x ____``
SECTION = re.compile(r"\n_{3,} (.+?) _{3,}[ \t]*$", re.M)
#: the end of pytest's FAILURES/ERRORS part: the next ``=====`` banner
BANNER = re.compile(r"\n={3,}.*$", re.M)
#: ``FAILED tests/test_x.py::test_y - RuntimeError: ...`` (short test summary, ``-ra``)
SUMMARY = re.compile(r"\n(?:FAILED|ERROR) (\S+)(?: - .*)?$", re.M)
#: unittest's and Django's test runner: ``ERROR: test_x (module.Class.test_x)``
UNITTEST = re.compile(r"\n(?:ERROR|FAIL): (\S+ \(.+\))$", re.M)
#: pytest's last line, ``==== 2 failed, 3 warnings in 4.00s ====`` (``-q``: no ``=``). What
#: follows it comes from the interpreter's shutdown (tasks destroyed pending, ``Exception
#: ignored in``), not from a test: a log with failing tests is not judged by it
FINAL = re.compile(r"\n(?:=+ )?(?:\d+ (?:failed|passed|errors?|skipped|xfailed|xpassed|warnings?"
                   r"|deselected|rerun)(?:, |(?= in )))+ in \d+(?:\.\d+)?s(?: \(\d+:\d\d:\d\d\))?"
                   r"(?: =+)?[ \t]*$", re.M)
#: a traceback that starts a failure of its own in a plain text (no pytest or unittest reports):
#: one not chained to the one before it (``During handling of the above exception, another
#: exception occurred:`` / ``The above exception was the direct cause of ...`` just above it)
TRACEBACK = re.compile(r"\nTraceback \(most recent call last\):$", re.M)
CHAINED = re.compile(r"(?:During handling of the above exception, another exception occurred|"
                     r"The above exception was the direct cause of the following exception):\n*$")


class InputError(Exception):
    """Input that cannot be triaged; the message is one line."""


def add_arguments(parser) -> None:
    parser.add_argument("path", nargs="?", default="-",
                        help="a pytest log, a JUnit XML report or a traceback; - (default) reads stdin")
    parser.add_argument("--json", action="store_true",
                        help="print the matches, each failure report's answer and the versions read as JSON")
    parser.add_argument("--root", type=Path, default=REPO,
                        help="the knowledge base (the folder holding context/ and notebooks/)")


def run(args) -> int:
    try:
        if args.path == "-" and sys.stdin.isatty():
            raise InputError("no input: give a PATH or pipe a log into `kb triage -`")
        data = sys.stdin.buffer.read() if args.path == "-" else read_bytes(Path(args.path))
        source = "<stdin>" if args.path == "-" else args.path
        text = decode(data, source)
        entries, errors = scan(args.root)
        report = triage(text, entries, source)
    except InputError as exc:
        print(f"kb triage: {exc}", file=sys.stderr)
        return 2
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
    order = {entry.id: i for i, entry in enumerate(entries)}
    for where, body in failures(text, source):
        reports = Reports(normalise(body), where)
        report.failures += reports.count
        found = []
        for entry in entries:
            for match in match_entry(entry, reports):
                report.matches.setdefault(entry.id, []).append(match)
                found.append(match)
        report.reports += per_failure(reports, found, order, len(report.reports))
    report.matches = rank(report.matches, entries)
    report.reports = ranked_failures(report.reports)
    versions_for(report, text, entries)
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


def versions_for(report: Triage, text: str, entries: list[Entry]) -> None:
    """The versions ``text`` shows; for each entry some failure names first, its notes that
    hold for them and its Versions-table row for them."""
    report.versions = read(plain(text))
    if not report.versions:
        return
    by_id = {entry.id: entry for entry in entries}
    named = [f.matches[0].entry_id for f in report.reports if f.matches]
    for entry_id in dict.fromkeys(named):
        entry = by_id[entry_id]
        for note in entry_notes(entry):
            if note.holds(report.versions):
                report.notes.append((entry_id, note))
        if row := best_row(entry_rows(entry), report.versions):
            report.rows.append((entry_id, row))


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


def match_entry(entry: Entry, reports: "Reports") -> list[Match]:
    """The best evidence of ``entry`` in each failure report that holds some. In a plain text
    cut into tracebacks, a signature that holds in none of them alone is judged on the whole
    text (a server's traceback and the test's error are both evidence)."""
    found: dict[int, tuple] = {}
    for signature in compiled(entry):
        hits, held = reports.hits(signature.anchor), False
        if reports.units and hits:
            hits.append(len(reports.starts))
        for index in hits:
            if reports.units and held and index == len(reports.starts):
                break
            evidence = signature.match(reports.text(index), reports.frames(index) if signature.frames else None)
            if evidence:
                held = True
                if index not in found or evidence.score > found[index].score:
                    found[index] = evidence
    return [Match(entry.id, str(entry.title), ev.name, ev.strength, ev.lines, reports.names[i],
                  entry.path, entry.notebook_path)
            for i, ev in sorted(found.items())]


def holds(signature: Signature, text: str) -> bool:
    """Whether ``signature`` holds in some failure report of ``text`` (a log, JUnit, a traceback)."""
    for where, body in failures(text, "<text>"):
        reports = Reports(normalise(body), where)
        hits = reports.hits(signature.anchor)
        hits += [len(reports.starts)] if reports.units and hits else []
        if any(signature.match(reports.text(i)) for i in hits):
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


class Reports:
    """The failure reports of one normalised text: pytest's per-test sections, its
    ``FAILED id - message`` summary lines, unittest's ``ERROR:``/``FAIL:`` blocks, and the rest
    of the text as one more report (a traceback, a server log, ``--tb=line`` lines). In a log
    with failing tests, what follows pytest's last line (``FINAL``) is left out."""

    def __init__(self, text: str, source: str):
        spans = []  # (start, end, name)
        sections = list(_lines(SECTION, text)) + list(_lines(UNITTEST, text))
        sections.sort()
        summary = list(_lines(SUMMARY, text))
        if sections or summary:
            # pytest's last line follows its last report (the short test summary is printed before
            # it: _pytest/terminal.py, pytest_sessionfinish). A final line with a report after it
            # (an earlier run of a log whose last run was cut off, a pasted summary put first)
            # ends nothing: only the tail after the last report is read
            tail = max(start for start, _, _ in sections + summary)
            ends = [m.end() for m in FINAL.finditer(text, tail)]
            if ends and ends[-1] < len(text):
                text = text[:ends[-1]]
                sections = [s for s in sections if s[0] < len(text)]
                summary = [s for s in summary if s[0] < len(text)]
        self.full = text
        banners = [start for start, _, _ in _lines(BANNER, text)]
        for i, (start, end, name) in enumerate(sections):
            stop = sections[i + 1][0] if i + 1 < len(sections) else len(text)
            after = bisect.bisect_right(banners, end)
            if after < len(banners):
                stop = min(stop, banners[after])
            spans.append((start, stop, name.removeprefix("ERROR at ").strip()))
        span_starts, span_stops = [a for a, _, _ in spans], [b for _, b, _ in spans]  # sorted, apart
        summary = [(s, e, n) for s, e, n in summary
                   if not ((i := bisect.bisect_right(span_starts, s) - 1) >= 0 and s < span_stops[i])]
        spans = sorted(spans + summary)
        self.count = max(len(sections), len(summary), 1)
        self.units = False  # the text is cut into tracebacks; the rest is then the whole text
        if not spans:
            cuts = [start for start, _, _ in _lines(TRACEBACK, text)
                    if start > 0 and not CHAINED.search(text[max(0, start - 200): start])]
            if cuts:
                bounds = [0, *cuts, len(text)]
                spans = [(bounds[i], bounds[i + 1], f"{source} (traceback {i + 1})") for i in range(len(bounds) - 1)]
                self.units, self.count = True, len(spans)
        self.starts = [s for s, _, _ in spans]
        self.ends = [e for _, e, _ in spans]
        self.names = [n for _, _, n in spans] + [source]
        gaps, at = [], 0
        for start, end, _ in spans:
            if start > at:
                gaps.append((at, start))
            at = max(at, end)
        gaps.append((at, len(text)))
        self.gaps = gaps
        self._rest = text if self.units else None
        self._frames: dict[int, list] = {}

    def frames(self, index: int) -> list:
        """The frames of report ``index`` (``kb.signature.frames``), read once."""
        if index not in self._frames:
            self._frames[index] = frames(self.text(index))
        return self._frames[index]

    def index_of(self, offset: int) -> int:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i if i >= 0 and offset < self.ends[i] else len(self.starts)

    def text(self, index: int) -> str:
        if index < len(self.starts):
            return self.full[self.starts[index]: self.ends[index]]
        if self._rest is None:
            self._rest = "\n".join(self.full[a:b] for a, b in self.gaps)
        return self._rest

    def hits(self, pattern: re.Pattern) -> list[int]:
        """The reports in which ``pattern`` occurs (one search over the whole text, none when
        the text lacks every literal a match needs)."""
        required = needles(pattern)
        if required and not any(needle in self.full for needle in required):
            return []
        found, pos = [], 0
        while (m := pattern.search(self.full, pos)) is not None:
            index = self.index_of(m.start())
            if not found or found[-1] != index:
                found.append(index)
            if index == len(self.starts):  # the rest: one report; look in the next section
                nxt = bisect.bisect_right(self.starts, m.start())
                if nxt >= len(self.starts):
                    break
                pos = self.starts[nxt]
            else:
                pos = max(self.ends[index], m.end() + 1)
        return sorted(set(found))


def _lines(pattern: re.Pattern, text: str):
    """``(start, end, group 1 or "")`` of each line matching ``pattern`` (which starts with \\n)."""
    first = pattern.match("\n" + text[:4096])  # the first line has no "\n" before it
    if first and first.end() - 1 <= len(text):
        yield 0, first.end() - 1, first.group(1) if pattern.groups else ""
    for m in pattern.finditer(text):
        yield m.start() + 1, m.end(), m.group(1) if pattern.groups else ""


def _first_per_place(found: list[Match]) -> list[Match]:
    seen, kept = {}, []
    for match in found:
        if match.where not in seen:
            seen[match.where] = len(kept)
            kept.append(match)
        elif match.score > kept[seen[match.where]].score:
            kept[seen[match.where]] = match
    return kept


def shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


WEAK = "this message alone; other causes print it too. Check the write-up's Symptom"


def explain(match: Match, indent: str = "  ") -> list[str]:
    """The lines saying why ``match`` was made: signature, strength, the evidence lines."""
    head = f"{indent}evidence: {match.strength} ({match.signature})"
    lines = [head + (f" - {WEAK}" if match.strength == "weak" else "")]
    lines += [f"{indent}  | {line}" for line in match.lines]
    return lines


#: failing tests listed one per line, at most
LISTED = 20


def failure_lines(report: Triage, limit: int = LISTED) -> list[str]:
    """Each failure report with its best entry (or none), strongest first, when there are two
    or more and something matched: a strong match in one test never hides another test's cause."""
    if len(report.reports) < 2 or not report.matched:
        return []
    out = [f"{len(report.reports)} failure reports, each with its best entry, strongest first:"]
    for failure in report.reports[:limit]:
        best = failure.best
        if best is None:
            out.append(f"  {failure.where}: no known issue")
            continue
        also = [m.entry_id for m in failure.matches[1:]]
        out.append(f"  {failure.where}: {best.entry_id} ({best.strength}, {best.signature})"
                   + (f"; also {', '.join(also)}" if also else ""))
    if len(report.reports) > limit:
        out.append(f"  (and {len(report.reports) - limit} more)")
    return out


def version_lines(report: Triage, label: str = "versions read") -> list[str]:
    """The versions read, and the notes and Versions-table rows they select (when something
    matched: they point at a fix)."""
    if not report.versions or not report.matched:
        return []
    out = [f"{label}: {describe(report.versions)}"]
    for entry_id, note in report.notes:
        out.append(f"note ({entry_id}, {' and '.join(note.when)}): {note.text} [{note.cite}]")
    for entry_id, row in report.rows:
        out.append(f"measured ({entry_id}, its Versions table): {row['line']}")
    return out


def format_report(report: Triage, limit: int = 3) -> str:
    if not report.matched:
        return (f"no known issue matches {report.source} "
                f"({report.failures} failure report{'s' * (report.failures != 1)} looked at)")
    tail = failure_lines(report)
    tail += [""] if tail else []
    tail += version_lines(report)
    out = []
    for rank_no, matches in enumerate(report.matches.values(), 1):
        best = max(matches, key=lambda m: m.score)
        places = [m.where for m in matches]
        more = f" (and {len(places) - limit} more)" if len(places) > limit else ""
        out += [f"{rank_no}. {best.entry_id}: {best.title}", *explain(best),
                f"  in:       {', '.join(places[:limit])}{more}",
                f"  write-up: {shown(best.writeup)}",
                f"  notebook: {shown(best.notebook)}",
                ""]
    out += tail
    n = len(report.matches)
    out.append(f"{n} known issue{'s' * (n != 1)} matched in {report.source}"
               + (", strongest evidence first" if n > 1 else ""))
    return "\n".join(out)


def _match_json(m: Match) -> dict:
    return {"id": m.entry_id, "title": m.title, "signature": m.signature, "strength": m.strength,
            "lines": list(m.lines), "line": m.line, "where": m.where, "writeup": str(m.writeup),
            "notebook": str(m.notebook)}


def as_json(report: Triage) -> str:
    """``source``, ``failures`` and ``matches`` (every match, grouped by entry, strongest entry
    first) as before; ``reports``: one item per failure report, strongest first, with its
    ``best`` match (null: no known issue) and the other entries it matches (``also``);
    ``versions``: what the input shows; ``notes`` and ``rows``: what they select."""
    return json.dumps({
        "source": report.source,
        "failures": report.failures,
        "matches": [_match_json(m) for found in report.matches.values() for m in found],
        "reports": [{"where": f.where, "best": _match_json(f.best) if f.best else None,
                     "also": [m.entry_id for m in f.matches[1:]]} for f in report.reports],
        "versions": [{"name": s.name, "version": s.version, "from": s.source} for s in report.versions],
        "notes": [{"id": i, "when": list(n.when), "text": n.text, "cite": n.cite} for i, n in report.notes],
        "rows": [{"id": i, "set": row["set"], "line": row["line"]} for i, row in report.rows],
    }, indent=2)
