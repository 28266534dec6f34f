"""Plain results the verbs produce (and the pytest plugin and the site consume)."""

from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Match:
    """An entry whose signature matched a failure text."""

    entry_id: str
    title: str
    signature: str
    line: str  #: the whole line of the input where the signature matched
    where: str  #: the failing test's name, or the input's name when it has no tests
    writeup: Path
    notebook: Path


@dataclass
class Triage:
    """What ``kb triage`` found in one input: matches grouped by entry, in entry order."""

    source: str
    failures: int  #: failure texts looked at (failing tests, or 1 for a bare traceback/log)
    matches: dict[str, list[Match]] = field(default_factory=dict)

    @property
    def matched(self) -> bool:
        return bool(self.matches)


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
