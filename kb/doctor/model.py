"""Rules and findings: plain dataclasses (the rule modules declare ``Rule``s, a scan yields
``Finding``s)."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Rule:
    """One static rule of an entry, documented by the code it must and must not flag.

    ``check(ctx)`` yields the AST nodes (or ``(node, detail)`` pairs) where the trap is;
    ``versions`` limits the rule to package versions (``{"redis": ">=8"}``, as the entry's
    write-up states them); ``fix`` is the advice, ``fixes`` advice per version range where it
    differs (``{"channels-redis": {"<4.1": "...", ">=4.1": "..."}}``, the first that holds wins).
    ``flags`` and ``passes`` are whole modules (tests/test_doctor_rules.py runs them, each as
    ``test_example.py`` in a folder of its own with ``beside``'s files)."""

    code: str
    entry: str
    name: str
    message: str
    fix: str
    check: Callable
    flags: tuple[str, ...] = ()
    passes: tuple[str, ...] = ()
    versions: dict = field(default_factory=dict)
    fixes: dict = field(default_factory=dict)
    #: the rule runs only on a file whose text holds one of these (every name it resolves is
    #: spelt in the file, if only in an import); empty: always
    needs: tuple[str, ...] = ()
    #: files the examples need beside them (``{"prices.py": "..."}``), as a project would have
    beside: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    entry: str
    message: str
    fix: str
    rule: str = ""

    def as_dict(self) -> dict:
        return {"path": self.path, "line": self.line, "col": self.col, "code": self.code,
                "entry": self.entry, "rule": self.rule, "message": self.message, "fix": self.fix}
