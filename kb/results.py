"""Plain results the verbs produce (and the pytest plugin and the site consume)."""

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path


@dataclass(frozen=True)
class Match:
    """An entry whose signature matched a failure text."""

    entry_id: str
    title: str
    signature: str  #: the signature's name
    strength: str  #: "strong" or "weak"
    lines: tuple[str, ...]  #: the normalised lines its patterns matched, in order
    where: str  #: the failing test's name, or the input's name when it has no tests
    writeup: Path
    notebook: Path
    layer: str = ""  #: the layer the entry comes from (kb.roots): "shipped" or a project root
    #: "message": a signature with message patterns; "frames": one with frames only (it says
    #: where the error was raised, not what it was)
    basis: str = "message"

    @property
    def line(self) -> str:
        """The first evidence line (the exception line, in most signatures)."""
        return self.lines[0] if self.lines else ""

    @property
    def score(self) -> tuple[int, int]:
        """Stronger first, then more matched patterns (as ``kb.signature.Evidence``)."""
        return (2 if self.strength == "strong" else 1), len(self.lines)


@dataclass(frozen=True)
class Failure:
    """One failure report (a failing test, a JUnit case, a traceback) and the entries that
    match it, best first (empty: no known issue)."""

    where: str
    matches: tuple[Match, ...]
    position: int = 0  #: its place in the input

    @property
    def best(self) -> "Match | None":
        return self.matches[0] if self.matches else None

    @property
    def tied(self) -> tuple[str, ...]:
        """The entries whose evidence here is as good as the best one's (same strength, as many
        matched lines), best first: two or more make this failure's answer ambiguous."""
        if not self.matches:
            return ()
        return tuple(m.entry_id for m in self.matches if m.score == self.matches[0].score)

    @property
    def ambiguous(self) -> bool:
        return len(self.tied) > 1


@dataclass
class Triage:
    """What ``kb triage`` found in one input: matches grouped by entry, strongest entry first;
    the same per failure report, strongest first; the versions the input shows."""

    source: str
    failures: int  #: failure texts looked at (failing tests, or 1 for a bare traceback/log)
    matches: dict[str, list[Match]] = field(default_factory=dict)
    reports: list[Failure] = field(default_factory=list)
    versions: list = field(default_factory=list)  #: kb.logversions.Seen, as read
    notes: list = field(default_factory=list)  #: (entry id, kb.logversions.Note) that hold
    rows: list = field(default_factory=list)  #: (entry id, Versions-table row) for them

    @property
    def matched(self) -> bool:
        return bool(self.matches)

    @property
    def answer(self) -> tuple[str, ...]:
        """The entry named first, or, when every failure report where it has its best evidence
        fits another entry as well (``Failure.tied``), all those entries: an honest "A or B"
        instead of a guess by entry order. ``()``: nothing matched."""
        if not self.matches:
            return ()
        first = next(iter(self.matches))
        top = max(m.score for m in self.matches[first])
        tied: list[str] = []
        for failure in self.reports:
            if first not in failure.tied or failure.matches[0].score != top:
                continue
            if not failure.ambiguous:
                return (first,)
            tied += [i for i in failure.tied if i not in tied]
        return tuple(sorted(tied, key=list(self.matches).index)) if len(tied) > 1 else (first,)


@dataclass(frozen=True)
class Problem:
    """One ``kb lint`` finding: printed as ``path[:line]: message [code]``."""

    path: Path
    message: str
    code: str
    line: int | None = None

    def format(self, root: Path) -> str:
        shown = self.path.relative_to(root) if self.path.is_relative_to(root) else self.path
        at = f":{self.line}" if self.line else ""
        return f"{shown}{at}: {self.message} [{self.code}]"


@dataclass
class RunResult:
    """One notebook executed by ``kb run``; ``status`` is "passed", "failed" or "timeout"."""

    id: str
    status: str
    seconds: float
    error: str = ""  #: one line: the exception type and message, and the failing cell
    output: str = ""  #: the executed notebook, relative to the build folder ("" if none)

    @property
    def ok(self) -> bool:
        return self.status == "passed"

    def to_json(self) -> dict:
        return asdict(self)


def write_summary(build: Path, results: list[RunResult], parameters: dict) -> Path:
    """``kb run``'s results as ``build/summary.json`` (the site reads them back)."""
    path = build / "summary.json"
    build.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "parameters": parameters,
        "results": [r.to_json() for r in results],
    }, indent=2) + "\n", encoding="utf-8")
    return path


def read_summary(build: Path) -> dict[str, RunResult]:
    """The last run's results by id ({} when there was none or the file is unreadable)."""
    try:
        data = json.loads((build / "summary.json").read_text(encoding="utf-8"))
        return {r["id"]: RunResult(**r) for r in data["results"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
