"""Name the known issues behind a failure: reads a pytest log, a JUnit XML report or a traceback.

Every entry's `signatures` (regular expressions, multi-line mode) are searched in the whole
input, terminal colour codes removed. A match is attributed to the failing test whose report
holds it (pytest's `____ test_name ____` sections, `FAILED id - message` lines, JUnit
`<testcase>`s). For each matching entry it prints the title, the line that matched, where,
and the paths of the write-up and the notebook.

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
from .results import Match, Triage

# Line patterns of a pytest log. Each starts with "\n" (and the text is searched with a "\n"
# in front) because a literal first character lets the regex engine skip ahead fast.
#: pytest's per-test report header: ``____ test_name ____`` / ``____ ERROR at setup of x ____``
SECTION = re.compile(r"\n_{3,} (.+?) _{3,}[ \t]*$", re.M)
#: the end of pytest's FAILURES/ERRORS part: the next ``=====`` banner
BANNER = re.compile(r"\n={3,}.*$", re.M)
#: ``FAILED tests/test_x.py::test_y - RuntimeError: ...`` (short test summary, ``-ra``)
SUMMARY = re.compile(r"\n(?:FAILED|ERROR) (\S+)(?: - .*)?$", re.M)
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


#: terminal colour and cursor codes (pytest --color=yes, nbmake's IPython tracebacks); in JUnit
#: XML pytest writes the ESC character as the text "#x1B"
ANSI = re.compile(r"(?:\x1b|#x1B)(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")


def plain(text: str) -> str:
    """``text`` without ANSI escape sequences, so signatures see what a reader sees."""
    return ANSI.sub("", text) if "\x1b" in text or "#x1B" in text else text


def failures(text: str, source: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(where, text)`` failure reports; JUnit XML gives one per failing case."""
    if text.lstrip().startswith(("<?xml", "<testsuite")):
        return [(where, plain(body)) for where, body in junit_failures(text, source)]
    return [(source, plain(text))]


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
    for signature in compiled(entry):
        pos = 0
        while (hit := signature.search(text, pos)) is not None:
            where, end = located.where(hit.start())
            found.append(Match(entry.id, str(entry.title), signature.pattern.pattern, line_at(text, hit.start()),
                               where, entry.path, entry.notebook_path))
            # one match per place is enough: go on after this test's report, or, outside
            # any test, at the next test's report
            pos = end if end >= 0 else located.next_start(hit.start())
            if pos is None or pos <= hit.start():
                break
    return found


def compiled(entry: Entry) -> list["Signature"]:
    """The entry's signatures that are strings and compile (``kb lint`` reports the others)."""
    if not isinstance(entry.signatures, list):
        return []
    found = []
    for signature in entry.signatures:
        try:
            found.append(_compile(signature))
        except (re.error, TypeError):
            continue
    return found


@functools.lru_cache(maxsize=1024)
def _compile(signature: str) -> "Signature":
    return Signature(re.compile(signature, re.M))


class Locator:
    """Maps an offset of a pytest log to the failing test whose report holds it."""

    def __init__(self, text: str, source: str):
        self.source = source
        self.starts, self.ends, self.names = [], [], []
        banners = [start for start, _, _ in _lines(BANNER, text)]
        sections = list(_lines(SECTION, text))
        for i, (start, end, name) in enumerate(sections):
            stop = sections[i + 1][0] if i + 1 < len(sections) else len(text)
            after = bisect.bisect_right(banners, end)
            if after < len(banners):
                stop = min(stop, banners[after])
            self.starts.append(start)
            self.ends.append(stop)
            self.names.append(name.removeprefix("ERROR at ").strip())
        summary = list(_lines(SUMMARY, text))
        for start, end, name in summary:  # ``FAILED id - message`` lines name their test themselves
            self.starts.append(start)
            self.ends.append(end)
            self.names.append(name)
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


def _lines(pattern: re.Pattern, text: str):
    """``(start, end, group 1 or "")`` of each line matching ``pattern`` (which starts with \\n)."""
    first = pattern.match("\n" + text[:4096])  # the first line has no "\n" before it
    if first and first.end() - 1 <= len(text):
        yield 0, first.end() - 1, first.group(1) if pattern.groups else ""
    for m in pattern.finditer(text):
        yield m.start() + 1, m.end(), m.group(1) if pattern.groups else ""


class Signature:
    """A compiled signature whose ``search`` is ``re.Pattern.search``, fast on large logs.

    The regex engine skips ahead quickly only when a pattern starts with a literal. For one
    that starts otherwise (``(?:Magic)?Mock...``, ``\\bTimeoutError``), ``search`` finds a
    literal the pattern must contain at a bounded distance from its start (``str.find``) and
    tries ``match`` only at the few starts that allows: the same result, far fewer attempts.
    """

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        self.needle, self.before = _needle(pattern)

    def search(self, text: str, pos: int = 0) -> re.Match | None:
        if self.needle is None:
            return self.pattern.search(text, pos)
        low, high = self.before
        match, tried = self.pattern.match, pos - 1
        at = text.find(self.needle, pos + low)
        while at >= 0:
            for start in range(max(at - high, tried + 1, pos), at - low + 1):
                found = match(text, start)
                if found:
                    return found
            tried = max(tried, at - low)
            at = text.find(self.needle, at + 1)
        return None


def _needle(pattern: re.Pattern) -> tuple[str | None, tuple[int, int] | None]:
    """The longest top-level literal (3+ characters) of ``pattern`` after a part of bounded
    width ``(low, high)``; ``(None, None)`` when a plain search is as fast or no such literal."""
    try:
        from re import _constants, _parser

        parsed = _parser.parse(pattern.pattern, pattern.flags)
        items = list(parsed)
        literal = _constants.LITERAL
    except Exception:  # private API: without it, plain search
        return None, None
    if not items or items[0][0] is literal or parsed.state.flags & re.IGNORECASE:
        return None, None
    best, i = (None, None), 0
    while i < len(items):
        if items[i][0] is not literal:
            i += 1
            continue
        j = i
        while j < len(items) and items[j][0] is literal:
            j += 1
        low, high = _parser.SubPattern(parsed.state, items[:i]).getwidth()
        if j - i >= 3 and high <= 256 and (best[0] is None or j - i > len(best[0])):
            best = ("".join(chr(code) for _, code in items[i:j]), (low, high))
        i = j
    return best


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
