"""Name the known issues behind a failure: reads a pytest log, a JUnit XML report or a traceback.

Every entry's ``signatures`` (regular expressions, multi-line mode) are searched in the whole
input; a match is attributed to the failing test whose report holds it (pytest's
``____ test_name ____`` sections, ``FAILED id - message`` lines, JUnit ``<testcase>``s).
For each matching entry it prints the title, the line that matched, where, and the paths of
the write-up and the notebook.

Exit status: 0 something matched, 1 nothing matched, 2 unreadable input (missing file,
binary data, text that is not UTF-8, malformed XML) with a one-line reason.
"""

import bisect
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from . import REPO
from .entries import Entry, scan
from .results import Match, Triage

#: pytest's per-test report header: ``____ test_name ____`` / ``____ ERROR at setup of x ____``
SECTION = re.compile(r"^_{3,} (.+?) _{3,}[ \t]*$", re.M)
#: the end of pytest's FAILURES/ERRORS part: the next ``=====`` banner
BANNER = re.compile(r"^={3,}.*$", re.M)
#: ``FAILED tests/test_x.py::test_y - RuntimeError: ...`` (short test summary, ``-ra``)
SUMMARY = re.compile(r"^(?:FAILED|ERROR) (\S+)(?: - .*)?$", re.M)
MAX_LINE = 240


class InputError(Exception):
    """Input that cannot be triaged; the message is one line."""


def add_arguments(parser) -> None:
    parser.add_argument("path", nargs="?", default="-",
                        help="a pytest log, a JUnit XML report or a traceback; - (default) reads stdin")
    parser.add_argument("--json", action="store_true", help="print the matches as JSON")
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
    """Split ``text`` into ``(where, text)`` failure reports; JUnit XML gives one per failing case."""
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
    """Match every entry's signatures against the failure reports of ``text``."""
    reports = failures(text, source)
    report = Triage(source=source, failures=0, matches={})
    for where, body in reports:
        located = Locator(body, where)
        report.failures += located.count
        for entry in entries:
            for match in match_entry(entry, body, located):
                report.matches.setdefault(entry.id, []).append(match)
    for found in report.matches.values():
        found[:] = _first_per_place(found)
    return report


def match_entry(entry: Entry, text: str, located: "Locator") -> list[Match]:
    """The first match of ``entry``'s signatures in each failing test of ``text``."""
    found = []
    for pattern in compiled(entry):
        pos = 0
        while (hit := pattern.search(text, pos)) is not None:
            where, end = located.where(hit.start())
            found.append(Match(entry.id, str(entry.title), pattern.pattern, line_at(text, hit.start()),
                               where, entry.path, entry.notebook_path))
            # one match per place is enough: go on after this test's report, or, outside
            # any test, at the next test's report
            pos = end if end >= 0 else located.next_start(hit.start())
            if pos is None or pos <= hit.start():
                break
    return found


def compiled(entry: Entry) -> list[re.Pattern]:
    """The entry's signatures that are strings and compile (``kb lint`` reports the others)."""
    if not isinstance(entry.signatures, list):
        return []
    patterns = []
    for signature in entry.signatures:
        try:
            patterns.append(re.compile(signature, re.M))
        except (re.error, TypeError):
            continue
    return patterns


class Locator:
    """Maps an offset of a pytest log to the failing test whose report holds it."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.starts, self.ends, self.names = [], [], []
        banners = [m.start() for m in BANNER.finditer(text)]
        sections = list(SECTION.finditer(text))
        for i, m in enumerate(sections):
            end = sections[i + 1].start() if i + 1 < len(sections) else len(text)
            after = bisect.bisect_right(banners, m.end())
            if after < len(banners):
                end = min(end, banners[after])
            self.starts.append(m.start())
            self.ends.append(end)
            self.names.append(m.group(1).removeprefix("ERROR at ").strip())
        summary = list(SUMMARY.finditer(text))
        for m in summary:  # ``FAILED id - message`` lines name their test themselves
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.names.append(m.group(1))
        order = sorted(range(len(self.starts)), key=self.starts.__getitem__)
        self.starts = [self.starts[i] for i in order]
        self.ends = [self.ends[i] for i in order]
        self.names = [self.names[i] for i in order]
        self.count = max(len(sections), len(summary), 1)

    def where(self, offset: int) -> tuple[str, int]:
        """The test holding ``offset`` and where its report ends (the source, -1 when none)."""
        i = bisect.bisect_right(self.starts, offset) - 1
        if i >= 0 and offset < self.ends[i]:
            return self.names[i], self.ends[i]
        return self.source, -1

    def next_start(self, offset: int) -> int | None:
        """Where the next test's report after ``offset`` starts (None when there is none)."""
        i = bisect.bisect_right(self.starts, offset)
        return self.starts[i] if i < len(self.starts) else None


def line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start: end if end >= 0 else len(text)].strip()
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3] + "..."


def _first_per_place(found: list[Match]) -> list[Match]:
    seen, kept = set(), []
    for match in found:
        if match.where not in seen:
            seen.add(match.where)
            kept.append(match)
    return kept


def shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def format_report(report: Triage, limit: int = 3) -> str:
    if not report.matched:
        return (f"no known issue matches {report.source} "
                f"({report.failures} failure report{'s' * (report.failures != 1)} looked at)")
    out = []
    for matches in report.matches.values():
        first = matches[0]
        places = [m.where for m in matches]
        more = f" (and {len(places) - limit} more)" if len(places) > limit else ""
        out += [f"{first.entry_id}: {first.title}",
                f"  matched:  {first.line}",
                f"  in:       {', '.join(places[:limit])}{more}",
                f"  write-up: {shown(first.writeup)}",
                f"  notebook: {shown(first.notebook)}",
                ""]
    n = len(report.matches)
    out.append(f"{n} known issue{'s' * (n != 1)} matched in {report.source}")
    return "\n".join(out)


def as_json(report: Triage) -> str:
    return json.dumps({
        "source": report.source,
        "failures": report.failures,
        "matches": [{"id": m.entry_id, "title": m.title, "signature": m.signature, "line": m.line,
                     "where": m.where, "writeup": str(m.writeup), "notebook": str(m.notebook)}
                    for found in report.matches.values() for m in found],
    }, indent=2)
