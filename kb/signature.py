"""Signatures: evidence that one failure report shows one entry's root cause.

An entry's front matter lists signatures as mappings (CONTRIBUTING.md, "Signatures and the
corpus")::

    - name: two-loops        # a slug, unique in the entry
      strength: strong       # strong: only this cause prints it; weak: other causes can too
      all: [pattern, ...]    # every pattern matches the report
      any: [pattern, ...]    # optional: at least one matches
      not: [pattern, ...]    # optional: none matches
      frames: [frame, ...]   # optional: these frames, in this order, among the report's frames
      when: [requirement, ...]  # optional: the cause exists only there; a version read that
                                # contradicts one (kb.logversions) rules the signature out

A signature needs ``all`` or ``frames`` (or both). A frame spec is ``path:function``: the end of
the frame's file path (whole path components; ``*`` is any part of one component, ``**`` any
run of components) and its function (``*`` any characters, ``a|b`` either), e.g.
``channels/testing/live.py:_pre_setup``, ``multiprocessing/popen_*.py:_launch``,
``asyncio/*.py:*``. The report's frames (``frames``) are read from CPython tracebacks
(``File "...", line N, in f``), pytest's ``--tb=short`` (``path:N: in f``) and long/auto
entries (``path:N:`` after the function's source, whose first ``def`` names it); the specs must
appear in order, others may come between (pasted ``...`` or cut frames change nothing). A
signature with ``frames`` and no ``all`` is weak unless it says ``strength: strong``.

Patterns are regular expressions in the syntax Python and JavaScript share (the site runs them
in the browser), searched case-sensitively in multi-line mode over the *normalised* report
(``normalise``): pytest's ``E`` markers, indentation, colour codes, path prefixes, addresses and
old exception module names are removed, so one pattern reads every form pytest prints.
"""

import re
from dataclasses import dataclass

from .frames import FrameSpec, FrameSpecError, frames, match_frames
from .logversions import NoteError, contradicts, parse_when

try:  # the regex parser: re._parser from Python 3.11, sre_parse before
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

STRENGTHS = {"strong": 2, "weak": 1}
KEYS = {"name", "strength", "all", "any", "not", "frames", "when"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

#: terminal colour and cursor codes (pytest --color=yes, nbmake's IPython tracebacks); in JUnit
#: XML pytest writes the ESC character as the text "#x1B"
ANSI = re.compile(r"(?:\x1b|#x1B)(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")

#: ``(pattern, replacement, literal)`` applied in order to the whole text, each only where the
#: text holds ``literal`` (a shortcut: without it the pattern cannot match). A pattern that
#: starts with a character class starts at a token boundary (the look-behind), so a 10 MB log
#: is read once, not once per character. kb/browser.py hands the same list to kb/templates/site/triage.js.
NORMALISE = (
    (r"\r\n?", "\n", "\r"),
    (r"^[ \t]*E(?:[ \t]+|$)", "", "E"),  # pytest's error marker
    (r"^[ \t]+", "", ""),  # indentation
    (r"(?<![ \t])[ \t]+$", "", ""),  # trailing blanks
    (r"^>[ \t]+", "> ", ">"),  # pytest's source-line marker
    (r"[A-Za-z]:\\[^\s\"'<>|:*?]*(?:\\[^\s\"'<>|:*?]*)*", None, ":\\"),  # Windows: see _slashes
    (r"(?<![^\s\"'(<\[])[^\s\"'(<\[]*(?:site|dist)-packages/", "", "-packages/"),
    (r"(?<![^\s\"'(<\[])[^\s\"'(<\[]*/lib/python3\.\d+/", "", "/lib/python3."),
    (r"(?<![^\s\"'(<\[])[A-Za-z]:/[^\s\"'(<\[]*?/Lib/", "", "/Lib/"),
    (r"\b0x[0-9a-fA-F]{4,}\b", "0x0", "0x"),
    (r"\bconcurrent\.futures\._base\.(CancelledError|TimeoutError)\b", r"asyncio.exceptions.\1",
     "concurrent.futures._base."),
)
_RULES = [(re.compile(p, re.M), r, literal) for p, r, literal in NORMALISE]
#: a relative Windows path such as ``tests\\test_x.py``
_RELATIVE_WINDOWS = re.compile(r"\b[\w.-]+(?:\\[\w.-]+)+\.pyw?\b")


def _slashes(match: re.Match) -> str:
    return match.group(0).replace("\\", "/")


def plain(text: str) -> str:
    """``text`` without ANSI escape sequences, so signatures see what a reader sees."""
    return ANSI.sub("", text) if "\x1b" in text or "#x1B" in text else text


def normalise(text: str) -> str:
    """The report as signatures read it (see the module docstring and CONTRIBUTING.md)."""
    text = plain(text)
    text = _RELATIVE_WINDOWS.sub(_slashes, text) if "\\" in text else text
    for index, (pattern, replacement, literal) in enumerate(_RULES):
        if index in _LINE_RULES:
            if index == _LINE_RULES[0]:
                text = _line_rules(text)
        elif literal in text:
            text = pattern.sub(_slashes if replacement is None else replacement, text)
    return text


#: the NORMALISE rules that touch only the start or the end of a line (E marker, indentation,
#: trailing blanks, the > marker): Python applies them in one pass over the lines, which reads a
#: 10 MB log several times faster than four ``^``-anchored regex passes (the regex engine has no
#: fast skip to a line start). tests/test_signature.py checks both give the same text.
_LINE_RULES = (1, 2, 3, 4)


def _line_rules(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip(" \t")
        if stripped[:1] == "E" and stripped[1:2] in ("", " ", "\t"):
            stripped = stripped[1:].lstrip(" \t")  # NORMALISE[1], the error marker
        stripped = stripped.rstrip(" \t")  # NORMALISE[2] and [3]
        if stripped[:1] == ">" and stripped[1:2] in (" ", "\t"):
            stripped = "> " + stripped[1:].lstrip(" \t")  # NORMALISE[4]
        if stripped is not line:
            lines[i] = stripped
    return "\n".join(lines)


def normalise_by_rules(text: str) -> str:
    """``normalise`` with every rule as the regular expression the browser runs (for tests)."""
    text = plain(text)
    text = _RELATIVE_WINDOWS.sub(_slashes, text) if "\\" in text else text
    for pattern, replacement, literal in _RULES:
        if literal in text:
            text = pattern.sub(_slashes if replacement is None else replacement, text)
    return text


#: regex syntax Python accepts and JavaScript does not (or reads differently)
NOT_IN_BROWSER = (
    (re.compile(r"\(\?P[<=>]"), "named groups (?P<...>)"),
    (re.compile(r"\\[AZ]"), r"\A or \Z"),
    (re.compile(r"\(\?[aiLmsux-]+[):]"), "inline flags such as (?s)"),
    (re.compile(r"\(\?[>#(]"), "atomic groups, comments or conditionals"),
    (re.compile(r"[*+?}]\+"), "possessive quantifiers"),
)


def browser_problem(pattern: str) -> str | None:
    """Why the browser cannot run ``pattern`` as Python does (None when it can)."""
    unescaped = re.sub(r"\\\\", "", pattern)
    for check, what in NOT_IN_BROWSER:
        if check.search(unescaped):
            return f"uses {what}, which JavaScript does not support"
    return None


class SignatureError(ValueError):
    """A signature that cannot be used; the message is one line."""

@dataclass(frozen=True)
class Evidence:
    """What one signature found in one report: the normalised lines its patterns matched."""

    name: str
    strength: str
    lines: tuple[str, ...]

    @property
    def score(self) -> tuple[int, int]:
        """Stronger first, then more matched patterns."""
        return STRENGTHS[self.strength], len(self.lines)


@dataclass(frozen=True)
class Signature:
    name: str
    strength: str
    all: tuple[re.Pattern, ...]
    any: tuple[re.Pattern, ...] = ()
    none: tuple[re.Pattern, ...] = ()
    frames: tuple[FrameSpec, ...] = ()
    #: requirements (``pytest-asyncio>=0.23``) the cause needs: a log whose versions contradict
    #: one of them is not this cause (a version not read contradicts nothing)
    when: tuple[str, ...] = ()

    @property
    def anchor(self) -> re.Pattern:
        """A pattern every report it holds in contains: where ``kb triage`` looks first."""
        return self.all[0] if self.all else self.frames[0].anchor

    @classmethod
    def parse(cls, raw, index: int = 0) -> "Signature":
        """A signature from front matter; ``SignatureError`` says what is wrong in one line."""
        if not isinstance(raw, dict):
            raise SignatureError(f"signature {index + 1} must be a mapping with name, strength and all")
        name = raw.get("name")
        label = f"signature {name!r}" if isinstance(name, str) else f"signature {index + 1}"
        if unknown := set(raw) - KEYS:
            raise SignatureError(f"{label}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
        if not isinstance(name, str) or not SLUG.match(name):
            raise SignatureError(f"{label}: name must be a slug (a-z, 0-9, -)")
        specs = raw.get("frames", [])
        if not isinstance(specs, list) or not specs and "frames" in raw:
            raise SignatureError(f"{label}: frames must be a non-empty list of 'path.py:function'")
        try:
            frame_specs = tuple(FrameSpec.parse(spec) for spec in specs)
        except FrameSpecError as exc:
            raise SignatureError(f"{label}: {exc}") from None
        strength = raw.get("strength", "weak" if frame_specs and not raw.get("all") else None)
        if strength not in STRENGTHS:
            raise SignatureError(f"{label}: strength must be 'strong' or 'weak'")
        groups = {}
        for key in ("all", "any", "not"):
            patterns = raw.get(key, [])
            if not isinstance(patterns, list) or not all(isinstance(p, str) and p for p in patterns):
                raise SignatureError(f"{label}: {key} must be a list of non-empty strings")
            compiled = []
            for pattern in patterns:
                if problem := browser_problem(pattern):
                    raise SignatureError(f"{label}: {pattern!r} {problem}")
                try:
                    compiled.append(re.compile(pattern, re.M))
                except re.error as exc:
                    raise SignatureError(f"{label}: {pattern!r} does not compile ({exc})") from None
            groups[key] = tuple(compiled)
        if not groups["all"] and not frame_specs:
            raise SignatureError(f"{label}: all (or frames) must list at least one pattern")
        try:
            when = parse_when(raw["when"], label) if "when" in raw else ()
        except NoteError as exc:
            raise SignatureError(str(exc)) from None
        return cls(name, strength, groups["all"], groups["any"], groups["not"], frame_specs, when)

    def match(self, normalised: str, found_frames=None, versions=()) -> Evidence | None:
        """The evidence in one normalised report, or None when the signature does not hold.
        ``found_frames``: the report's ``frames`` when the caller has them already;
        ``versions``: the versions the input shows (``kb.logversions.Seen``), for ``when``."""
        if self.when and contradicts(self.when, versions):
            return None
        lines = []
        for pattern in self.all:
            found = pattern.search(normalised)
            if found is None:
                return None
            lines.append(line_at(normalised, found.start()))
        if self.any:
            found = next((m for p in self.any if (m := p.search(normalised))), None)
            if found is None:
                return None
            lines.append(line_at(normalised, found.start()))
        if any(p.search(normalised) for p in self.none):
            return None
        if self.frames:
            offsets = match_frames(self.frames, frames(normalised) if found_frames is None else found_frames)
            if offsets is None:
                return None
            lines += [line_at(normalised, offset) for offset in offsets]
        return Evidence(self.name, self.strength, tuple(lines))


def line_at(text: str, offset: int, limit: int = 240) -> str:
    """The whole line of ``text`` holding ``offset``, cut to ``limit`` characters."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start: end if end >= 0 else len(text)].strip()
    return line if len(line) <= limit else line[: limit - 3] + "..."


def parse_all(raw) -> tuple[list[Signature], list[str]]:
    """The usable signatures of an entry's front matter, and one message per unusable one."""
    if not isinstance(raw, list):
        return [], ["signatures must be a list"]
    found, problems, names = [], [], set()
    for index, item in enumerate(raw):
        try:
            signature = Signature.parse(item, index)
        except SignatureError as exc:
            problems.append(str(exc))
            continue
        if signature.name in names:
            problems.append(f"signature {signature.name!r}: the name is used twice")
            continue
        names.add(signature.name)
        found.append(signature)
    return found, problems


# ---- required literals: skip a pattern that cannot match without reading the text with it ----


#: a needle shorter than this is not worth a pass over the text
_MIN_NEEDLE = 4


def needles(pattern: re.Pattern) -> tuple[str, ...]:
    """Literal strings of which every match of ``pattern`` contains at least one, or ``()``
    when none can be told (then the pattern must be searched). A text that holds none of them
    cannot match, and ``str.__contains__`` says so far faster than the regex engine, above all
    for a pattern that starts with a class, a group or ``\\b`` (no literal prefix to skip to)."""
    found = _NEEDLES.get(pattern)
    if found is None:
        found = ()
        if not pattern.flags & re.IGNORECASE:
            try:
                found = _alternatives(_sre_parse.parse(pattern.pattern, pattern.flags))
            except Exception:  # noqa: BLE001 - an unusual pattern: no shortcut, never an error
                found = ()
        _NEEDLES[pattern] = found
    return found


_NEEDLES: dict[re.Pattern, tuple[str, ...]] = {}


def _alternatives(items) -> tuple[str, ...]:
    """For a parsed sequence: one needle (its longest required literal run), or one per branch
    of a top-level alternation (each branch must have one)."""
    items = list(items)
    if len(items) == 1 and items[0][0] is _sre.BRANCH:
        branches = [_alternatives(branch) for branch in items[0][1][1]]
        if all(branches):
            return tuple(sorted({n for branch in branches for n in branch}))
        return ()
    best = _longest_run(items)
    return (best,) if len(best) >= _MIN_NEEDLE else ()


def _longest_run(items) -> str:
    best, run = "", []
    for op, arg in items:
        if op is _sre.LITERAL:
            run.append(chr(arg))
            continue
        best = max(best, "".join(run), key=len)
        run = []
        if op is _sre.SUBPATTERN:  # a group is required: its own longest run counts
            inner = list(arg[-1])
            if not arg[1] & re.IGNORECASE and not any(o is _sre.BRANCH for o, _ in inner):
                best = max(best, _longest_run(inner), key=len)
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", None)):
            low, _high, inner = arg
            if low >= 1:
                best = max(best, _longest_run(list(inner)), key=len)
    return max(best, "".join(run), key=len)
