"""Name the known issues behind a failure: reads a pytest log, a JUnit XML report or a traceback.

The input is normalised (`kb.signature.normalise`: pytest's `E` markers, indentation, colour
codes, path prefixes, addresses) and split into failure reports (pytest's `____ test ____`
sections, `FAILED id - message` lines, unittest's `ERROR:`/`FAIL:` blocks, JUnit `<testcase>`s,
else the whole text). An entry matches a report when one of its signatures holds there (all of
its `all` patterns, one of its `any`, none of its `not`). Entries are ranked by their best
evidence: strong before weak, then more matched patterns. For each it prints the evidence
lines, where, and the paths of the write-up and the notebook; a weak match says so.

Entries come from every layer (`kb.roots`: the shipped knowledge, then the project's own); each
match names its layer.

Exit status: 0 something matched, 1 nothing matched, 2 unreadable input (missing file,
binary data, text that is not UTF-8, malformed XML) or layers that cannot be read (`[tool.kb]`
malformed, an id defined in two layers) with a one-line reason.
"""

import bisect
import functools
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from . import roots
from .entries import Entry
from .results import Match, Triage
from .signature import Signature, needles, normalise, parse_all, plain  # noqa: F401 - plain: kb.soak

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


class InputError(Exception):
    """Input that cannot be triaged; the message is one line."""


def add_arguments(parser) -> None:
    parser.add_argument("path", nargs="?", default="-",
                        help="a pytest log, a JUnit XML report or a traceback; - (default) reads stdin")
    parser.add_argument("--json", action="store_true", help="print the matches as JSON")
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
    """Every entry whose signatures hold in a failure report of ``text``, strongest first."""
    report = Triage(source=source, failures=0, matches={})
    for where, body in failures(text, source):
        reports = Reports(normalise(body), where)
        report.failures += reports.count
        for entry in entries:
            for match in match_entry(entry, reports):
                report.matches.setdefault(entry.id, []).append(match)
    report.matches = rank(report.matches, entries)
    return report


def rank(matches: dict[str, list[Match]], entries: list[Entry]) -> dict[str, list[Match]]:
    """``matches`` ordered by each entry's best evidence (strong before weak, then more
    matched patterns, then entry order), one match per place."""
    order = {entry.id: i for i, entry in enumerate(entries)}
    best = {i: max(m.score for m in found) for i, found in matches.items()}
    ranked = sorted(matches, key=lambda i: (-best[i][0], -best[i][1], order.get(i, 0)))
    return {i: _first_per_place(matches[i]) for i in ranked}


def match_entry(entry: Entry, reports: "Reports") -> list[Match]:
    """The best evidence of ``entry`` in each failure report that holds some."""
    found: dict[int, tuple] = {}
    for signature in compiled(entry):
        for index in reports.hits(signature.all[0]):
            evidence = signature.match(reports.text(index))
            if evidence and (index not in found or evidence.score > found[index].score):
                found[index] = evidence
    return [Match(entry.id, str(entry.title), ev.name, ev.strength, ev.lines, reports.names[i],
                  entry.path, entry.notebook_path, entry.layer)
            for i, ev in sorted(found.items())]


def holds(signature: Signature, text: str) -> bool:
    """Whether ``signature`` holds in some failure report of ``text`` (a log, JUnit, a traceback)."""
    for where, body in failures(text, "<text>"):
        reports = Reports(normalise(body), where)
        if any(signature.match(reports.text(i)) for i in reports.hits(signature.all[0])):
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
            # pytest's last line follows its last report: look after that first (a log's tail, not
            # its 10 MB), the whole text only where nothing is found there
            tail = max(start for start, _, _ in sections + summary)
            ends = [m.end() for m in FINAL.finditer(text, tail)] or [end for _, end, _ in _lines(FINAL, text)]
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
        summary = [(s, e, n) for s, e, n in summary if not any(a <= s < b for a, b, _ in spans)]
        spans = sorted(spans + summary)
        self.count = max(len(sections), len(summary), 1)
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
        self._rest = None

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


def format_report(report: Triage, limit: int = 3) -> str:
    if not report.matched:
        return (f"no known issue matches {report.source} "
                f"({report.failures} failure report{'s' * (report.failures != 1)} looked at)")
    out = []
    for rank, matches in enumerate(report.matches.values(), 1):
        best = max(matches, key=lambda m: m.score)
        places = [m.where for m in matches]
        more = f" (and {len(places) - limit} more)" if len(places) > limit else ""
        out += [f"{rank}. {best.entry_id}: {best.title}", *explain(best),
                f"  in:       {', '.join(places[:limit])}{more}",
                f"  write-up: {shown(best.writeup)}",
                f"  notebook: {shown(best.notebook)}",
                *([f"  layer:    {best.layer}"] if best.layer else []),
                ""]
    n = len(report.matches)
    out.append(f"{n} known issue{'s' * (n != 1)} matched in {report.source}"
               + (", strongest evidence first" if n > 1 else ""))
    return "\n".join(out)


def as_json(report: Triage) -> str:
    return json.dumps({
        "source": report.source,
        "failures": report.failures,
        "matches": [{"id": m.entry_id, "title": m.title, "signature": m.signature,
                     "strength": m.strength, "lines": list(m.lines), "line": m.line,
                     "where": m.where, "writeup": str(m.writeup), "notebook": str(m.notebook),
                     "layer": m.layer}
                    for found in report.matches.values() for m in found],
    }, indent=2)
