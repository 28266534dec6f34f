"""A log cut into failure reports: pytest's per-test sections and ``FAILED`` summary lines,
unittest's ``ERROR:``/``FAIL:`` blocks, or, in a text with none of them, each traceback not
chained to the one before it (``kb.triage`` matches signatures per report). The site's
triage.js cuts with the same patterns (kb/browser.py hands them over)."""

import bisect
import re

from .frames import frames
from .signature import needles

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
        """The frames of report ``index`` (``kb.frames.frames``), read once."""
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
