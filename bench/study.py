"""Recall and wrong answers of `kb triage` on the study set and on the negative corpus.

The study set (`corpus/_study/*.txt`) holds public failure reports as their reporters pasted
them (cuts, elisions, other spellings, older library lines, several failing tests), each with
its source, the versions it shows and a verdict decided from the thread's established cause:
an entry id, or `none` (a cause no entry covers). They are not captures: no entry must match
them (`kb lint` ignores the folder); this bench measures how often triage names the verdict.

Counting (one answer per report: the entry `kb triage` names first, or none):
- in-family (verdict is an entry): right = that entry first; wrong = another entry first;
  none = nothing named.
- out-of-family (verdict `none`): right = nothing named; wrong = any entry named.
- recall = right / in-family; wrong rate = wrong (both kinds) / all reports.
Misses (in-family not right, out-of-family wrong) are listed by the classes each report's
`# classes:` line gives (cut-paste, other-spelling, older-line, multi-test, versions), so one
report may count in several; `unclassed` when it gives none.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from kb import REPO
from kb.corpus import NEGATIVE, texts
from kb.entries import scan
from kb.triage import triage

SECTION = "study"
STUDY = "_study"
CLASSES = ("cut-paste", "other-spelling", "older-line", "multi-test", "versions")
HEADER = re.compile(r"^# ([a-z]+): ?(.*)$")


class StudyError(Exception):
    """A study file without its header; the message is one line."""


@dataclass
class Report:
    """One study report: its header fields and the excerpt that follows them."""

    path: Path
    source: str
    versions: str
    verdict: str  #: an entry id, or "none"
    why: str
    classes: tuple[str, ...]
    text: str
    notes: dict = field(default_factory=dict)


def parse(path: Path) -> Report:
    """A study file: `# source:`, `# versions:`, `# verdict:`, `# why:`, optional `# classes:`
    and `# note:` lines, then the excerpt."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    fields: dict[str, str] = {}
    body = 0
    while body < len(lines) and (found := HEADER.match(lines[body].rstrip("\n"))):
        fields[found.group(1)] = found.group(2).strip()
        body += 1
    missing = [key for key in ("source", "versions", "verdict", "why") if key not in fields]
    if missing:
        raise StudyError(f"{path.name}: no '# {missing[0]}:' line in its header")
    classes = tuple(c.strip() for c in fields.get("classes", "").split(",") if c.strip())
    unknown = [c for c in classes if c not in CLASSES]
    if unknown:
        raise StudyError(f"{path.name}: unknown class {unknown[0]!r} (want one of {', '.join(CLASSES)})")
    text = "".join(lines[body:])
    if not text.strip():
        raise StudyError(f"{path.name}: no excerpt after the header")
    return Report(path, fields["source"], fields["versions"], fields["verdict"], fields["why"],
                  classes, text, {k: v for k, v in fields.items() if k == "note"})


def load(root: Path = REPO) -> list[Report]:
    return [parse(p) for p in sorted((root / "corpus" / STUDY).glob("*.txt"))]


def answer(text: str, entries, name: str) -> tuple[str | None, str | None]:
    """The entry `kb triage` names first for ``text`` and its best strength, or (None, None)."""
    matches = triage(text, entries, name).matches
    if not matches:
        return None, None
    first = next(iter(matches))
    strength = "strong" if any(m.strength == "strong" for m in matches[first]) else "weak"
    return first, strength


def count(reports: list[Report], answers: list[str | None], known: set[str]) -> dict:
    """The figures for ``reports`` whose triage answers are ``answers`` (same order)."""
    unknown = sorted({r.verdict for r in reports if r.verdict != "none" and r.verdict not in known})
    if unknown:
        raise StudyError(f"verdict names no entry: {', '.join(unknown)}")
    tally = {"in": {"right": 0, "wrong": 0, "none": 0}, "out": {"right": 0, "wrong": 0}}
    misses: dict[str, list[str]] = {}
    rows = []
    for report, got in zip(reports, answers, strict=True):
        family = "in" if report.verdict != "none" else "out"
        if family == "in":
            outcome = "right" if got == report.verdict else "none" if got is None else "wrong"
        else:
            outcome = "right" if got is None else "wrong"
        tally[family][outcome] += 1
        rows.append({"file": report.path.name, "verdict": report.verdict, "answer": got,
                     "outcome": outcome, "classes": list(report.classes)})
        if outcome != "right":
            for cls in report.classes or ("unclassed",):
                misses.setdefault(cls, []).append(report.path.name)
    in_family = sum(tally["in"].values())
    total = len(reports)
    wrong = tally["in"]["wrong"] + tally["out"]["wrong"]
    return {
        "reports": total, "in_family": in_family, "out_of_family": total - in_family,
        "in": tally["in"], "out": tally["out"],
        "recall": round(tally["in"]["right"] / in_family, 3) if in_family else None,
        "wrong": wrong, "wrong_rate": round(wrong / total, 3) if total else None,
        "misses_by_class": {c: sorted(v) for c, v in sorted(misses.items())},
        "rows": rows,
    }


def run(root: Path = REPO) -> dict:
    entries, _ = scan(root)
    reports = load(root)
    answers = []
    strengths = {}
    for report in reports:
        got, strength = answer(report.text, entries, report.path.name)
        answers.append(got)
        strengths[report.path.name] = strength
    result = count(reports, answers, {e.id for e in entries})
    for row in result["rows"]:
        row["strength"] = strengths[row["file"]]
    negative = texts(root, NEGATIVE)
    claimed = [str(p.relative_to(root)) for p, t in negative if triage(t, entries, str(p)).matched]
    result["negative"] = {"texts": len(negative), "claimed": claimed}
    return result


def report(r: dict) -> str:
    lines = [
        f"kb triage on the study set (corpus/{STUDY}/: {r['reports']} public reports, "
        f"{r['in_family']} in-family, {r['out_of_family']} out-of-family)",
        f"  in-family:     right {r['in']['right']}, wrong {r['in']['wrong']}, none {r['in']['none']}"
        f"   recall {100 * r['recall']:.0f}% (target >= 85%)" if r["recall"] is not None else "  in-family: none",
        f"  out-of-family: right (none named) {r['out']['right']}, wrong {r['out']['wrong']}",
        f"  wrong answers: {r['wrong']} of {r['reports']} ({100 * (r['wrong_rate'] or 0):.1f}%; target <= 2%)",
        f"  negative corpus: {len(r['negative']['claimed'])} of {r['negative']['texts']} texts claimed (target 0)",
        "  misses by class (a report may be in several):",
    ]
    for cls, files in r["misses_by_class"].items():
        lines.append(f"    {cls} ({len(files)}): {', '.join(f.removesuffix('.txt') for f in files)}")
    wrong = [row for row in r["rows"] if row["outcome"] == "wrong"]
    if wrong:
        lines.append("  wrong answers:")
        lines += [f"    {row['file']}: verdict {row['verdict']}, triage named {row['answer']} ({row['strength']})"
                  for row in wrong]
    return "\n".join(lines)
