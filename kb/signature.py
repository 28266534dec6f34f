"""Signatures: evidence that one failure report shows one entry's root cause.

An entry's front matter lists signatures as mappings (CONTRIBUTING.md, "Signatures and the
corpus")::

    - name: two-loops        # a slug, unique in the entry
      strength: strong       # strong: only this cause prints it; weak: other causes can too
      all: [pattern, ...]    # every pattern matches the report
      any: [pattern, ...]    # optional: at least one matches
      not: [pattern, ...]    # optional: none matches

Patterns are regular expressions in the syntax Python and JavaScript share (the site runs them
in the browser), searched case-sensitively in multi-line mode over the *normalised* report
(``normalise``): pytest's ``E`` markers, indentation, colour codes, path prefixes, addresses and
old exception module names are removed, so one pattern reads every form pytest prints.
"""

import re
from dataclasses import dataclass

STRENGTHS = {"strong": 2, "weak": 1}
KEYS = {"name", "strength", "all", "any", "not"}
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
        if raw.get("strength") not in STRENGTHS:
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
        if not groups["all"]:
            raise SignatureError(f"{label}: all must list at least one pattern")
        return cls(name, raw["strength"], groups["all"], groups["any"], groups["not"])

    def match(self, normalised: str) -> Evidence | None:
        """The evidence in one normalised report, or None when the signature does not hold."""
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
