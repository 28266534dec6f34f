"""Frames as evidence: the frames of a normalised failure report (CPython tracebacks, pytest's
long, short and auto forms) and the ``path:function`` specs a signature may require, in order
(``kb.signature``; CONTRIBUTING.md, "Signatures and the corpus")."""

import re
from dataclasses import dataclass


class FrameSpecError(ValueError):
    """A frame spec that cannot be used; the message is one line."""


#: one line of a traceback as the normalised text shows it: a CPython frame (groups 1, 2), a
#: pytest location ``path:N: in f`` (3, 4) or ``path:N:`` / ``path:N: Type`` (3; not a warning's
#: ``path:N: SomeWarning: text``, nor ``--tb=line``'s ``path:N: Type: message``), a ``def``
#: line of a long entry's source (5), or pytest's ``_ _ _`` entry separator (none). The site's
#: triage.js reads frames with the same pattern (kb/browser.py)
FRAME = re.compile(r'^(?:File "([^"\n]+)", line \d+, in (\S+)$|([^\s:"]+\.pyw?):\d+:(?: in (\S+)| [\w.]+)?$'
                   r'|(?:async )?def (\w+)\(|(?:_ )+_$)', re.M)
#: a frame spec: ``path:function`` (see the module docstring)
FRAME_SPEC = re.compile(r"^([^\s:|]+\.pyw?|[^\s:|]*\*[^\s:|]*):([A-Za-z_<*][\w<>*.]*(?:\|[A-Za-z_<*][\w<>*.]*)*)$")


def frames(text: str) -> list[tuple[str, str, int]]:
    """``(path, function, offset)`` of each frame of a normalised report, in order. In pytest's
    long form the location line carries no function: it is the first ``def`` since the last
    frame or ``_ _ _`` separator ("" when the entry shows none, as ``--tb=line`` does)."""
    found, first_def = [], None
    for m in FRAME.finditer(text):
        if m.group(1) is not None:
            found.append((m.group(1), m.group(2), m.start()))
        elif m.group(3) is not None:
            found.append((m.group(3), m.group(4) or first_def or "", m.start()))
        elif m.group(5) is not None:
            if first_def is None:
                first_def = m.group(5)
            continue
        first_def = None
    return found


def _glob(part: str, one: str) -> str:
    """``part`` as a regex: ``**`` any run of characters, ``*`` ``one``, the rest literal."""
    return ".*".join(one.join(re.escape(p) for p in piece.split("*")) for piece in part.split("**"))


@dataclass(frozen=True)
class FrameSpec:
    """One required frame: its path's end and its function, as patterns the browser runs too."""

    spec: str
    path: re.Pattern
    function: re.Pattern
    anchor: re.Pattern  #: the path anywhere in the text (where to look first)

    @classmethod
    def parse(cls, spec) -> "FrameSpec":
        found = FRAME_SPEC.match(spec) if isinstance(spec, str) else None
        if found is None:
            raise FrameSpecError(f"frame {spec!r} must be 'path/to/module.py:function' (globs: * and **; a|b)")
        path, function = found.groups()
        functions = "|".join(_glob(name, ".*") for name in function.split("|"))
        return cls(spec, re.compile(f"(?:^|/){_glob(path, '[^/]*')}$"),
                   re.compile(f"^(?:{functions})$"), re.compile(_glob(path, "[^/\\s]*")))

    def holds(self, path: str, function: str) -> bool:
        return self.path.search(path) is not None and self.function.search(function) is not None


def match_frames(specs, found: list[tuple[str, str, int]]) -> list[int] | None:
    """The offsets of the frames that ``specs`` name, in order (each after the previous one),
    or None when some spec has no such frame."""
    offsets, at = [], 0
    for spec in specs:
        while at < len(found) and not spec.holds(found[at][0], found[at][1]):
            at += 1
        if at == len(found):
            return None
        offsets.append(found[at][2])
        at += 1
    return offsets
