"""Recall and wrong answers of `kb triage` on the study set and on the negative corpus.

The study set (`corpus/_study/*.txt`) holds public failure reports as their reporters pasted
them (cuts, elisions, other spellings, older library lines, several failing tests), each with
its source, the versions it shows and a verdict decided from the thread's established cause:
an entry id, or `none` (a cause no entry covers). They are not captures: no entry must match
them (`kb lint` ignores the folder); this bench measures how often triage names the verdict.

Counting (one answer per report, `Triage.answer`: the entry `kb triage` names first, "A or B"
when two entries' evidence fits equally, or none):
- in-family (verdict is an entry): right = that entry alone; ambiguous = "A or B" holding it
  (neither right nor wrong, printed apart); wrong = another entry, or "A or B" without it;
  none = nothing named.
- out-of-family (verdict `none`): right = nothing named; wrong = any entry named.
- recall = right / in-family (an ambiguous answer is not right); wrong rate = wrong (both
  kinds) / all reports.
Misses (in-family not right, out-of-family wrong) are listed by the classes each report's
`# classes:` line gives (cut-paste, other-spelling, older-line, multi-test, versions), so one
report may count in several; `unclassed` when it gives none.

Honesty of the figures:
- `# tuned: <entry-id> <signature> ...` marks a report a signature (or a reported excerpt) was
  written against after the report was in the set, and `# seed: <entry-id>` one that is already
  a seed thread of that entry: neither is held out, so recall is printed for all reports and for
  the held-out ones (neither line) separately.
- `# verdict-confidence: low` marks a verdict the thread does not establish; those reports are
  left out of the headline figures (and counted in `all`).
- A right answer is split by the strength of the evidence triage gave (strong / weak).
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
HEADER = re.compile(r"^# ([a-z][a-z-]*): ?(.*)$")


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
    tuned: str = ""  #: the `# tuned:` line: the entry and signatures written against this report
    seed: str = ""  #: the `# seed:` line: the entry this report is a seed thread of
    confidence: str = ""  #: the `# verdict-confidence:` line ("low" leaves it out of the headline)

    @property
    def held_out(self) -> bool:
        """No signature was written against it and it is no entry's seed."""
        return not self.tuned and not self.seed

    @property
    def headline(self) -> bool:
        return self.confidence != "low"


def parse(path: Path) -> Report:
    """A study file: `# source:`, `# versions:`, `# verdict:`, `# why:`, optional `# classes:`,
    `# note:`, `# tuned:`, `# seed:` and `# verdict-confidence:` lines, then the excerpt."""
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
    confidence = fields.get("verdict-confidence", "").split(" ", 1)[0]  # "low (why)"
    if confidence not in ("", "low"):
        raise StudyError(f"{path.name}: verdict-confidence {confidence!r} (want 'low' or no such line)")
    text = "".join(lines[body:])
    if not text.strip():
        raise StudyError(f"{path.name}: no excerpt after the header")
    return Report(path, fields["source"], fields["versions"], fields["verdict"], fields["why"],
                  classes, text, {k: v for k, v in fields.items() if k == "note"},
                  fields.get("tuned", ""), fields.get("seed", ""), confidence)


def load(root: Path = REPO) -> list[Report]:
    return [parse(p) for p in sorted((root / "corpus" / STUDY).glob("*.txt"))]


def answer(text: str, entries, name: str) -> tuple[tuple[str, ...], str | None]:
    """What `kb triage` answers for ``text`` (``Triage.answer``: the entry named first, or the
    entries that fit equally) and the best strength of the first, or ((), None)."""
    report = triage(text, entries, name)
    if not report.matches:
        return (), None
    first = next(iter(report.matches))
    strength = "strong" if any(m.strength == "strong" for m in report.matches[first]) else "weak"
    return report.answer, strength


def outcome(verdict: str, got: tuple[str, ...]) -> str:
    """right, wrong, none or ambiguous (an "A or B" answer that holds the verdict: neither
    right nor wrong; one that does not is wrong)."""
    if verdict == "none":
        return "right" if not got else "wrong"
    if not got:
        return "none"
    if len(got) > 1:
        return "ambiguous" if verdict in got else "wrong"
    return "right" if got[0] == verdict else "wrong"


def count(reports: list[Report], answers: list[tuple[str, ...]], known: set[str]) -> dict:
    """The figures for ``reports`` whose triage answers are ``answers`` (same order)."""
    unknown = sorted({r.verdict for r in reports if r.verdict != "none" and r.verdict not in known})
    if unknown:
        raise StudyError(f"verdict names no entry: {', '.join(unknown)}")
    tally = {"in": {"right": 0, "ambiguous": 0, "wrong": 0, "none": 0}, "out": {"right": 0, "wrong": 0}}
    misses: dict[str, list[str]] = {}
    rows = []
    for report, got in zip(reports, answers, strict=True):
        family = "in" if report.verdict != "none" else "out"
        result = outcome(report.verdict, got)
        tally[family][result] += 1
        rows.append({"file": report.path.name, "verdict": report.verdict, "answer": " or ".join(got) or None,
                     "outcome": result, "classes": list(report.classes)})
        if result != "right":
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


def subsets(reports: list[Report], answers: list[tuple[str, ...]], strengths: dict, known: set[str]) -> dict:
    """Recall and wrong answers for all reports, the headline (no low-confidence verdict) and the
    held-out part of the headline (no `# tuned:` or `# seed:` line), with right answers split by
    the strength triage gave."""
    out = {}
    for name, keep in (("all", lambda r: True), ("headline", lambda r: r.headline),
                       ("held-out", lambda r: r.headline and r.held_out)):
        chosen = [(r, a) for r, a in zip(reports, answers, strict=True) if keep(r)]
        figures = count([r for r, _ in chosen], [a for _, a in chosen], known)
        right = [r for r, a in chosen if r.verdict != "none" and a == (r.verdict,)]
        out[name] = {key: figures[key] for key in ("reports", "in_family", "out_of_family", "in", "out",
                                                   "recall", "wrong", "wrong_rate")}
        out[name]["right_strong"] = sum(strengths[r.path.name] == "strong" for r in right)
        out[name]["right_weak"] = sum(strengths[r.path.name] == "weak" for r in right)
    return out


def run(root: Path = REPO) -> dict:
    entries, _ = scan(root)
    reports = load(root)
    answers = []
    strengths = {}
    for report in reports:
        got, strength = answer(report.text, entries, report.path.name)
        answers.append(got)
        strengths[report.path.name] = strength
    known = {e.id for e in entries}
    result = count(reports, answers, known)
    for row in result["rows"]:
        row["strength"] = strengths[row["file"]]
    result["subsets"] = subsets(reports, answers, strengths, known)
    negative = texts(root, NEGATIVE)
    claimed = [str(p.relative_to(root)) for p, t in negative if triage(t, entries, str(p)).matched]
    result["negative"] = {"texts": len(negative), "claimed": claimed}
    return result


def report(r: dict) -> str:
    """The headline figures (no low-confidence verdict), then all and held-out reports alike."""
    head = r["subsets"]["headline"]
    lines = [
        f"kb triage on the study set (corpus/{STUDY}/: {r['reports']} public reports; headline: the "
        f"{head['reports']} whose verdict the thread establishes, {r['reports'] - head['reports']} low-confidence left out)",
        f"  headline in-family ({head['in_family']}): right {head['in']['right']} ({head['right_strong']} strong, "
        f"{head['right_weak']} weak), ambiguous holding it {head['in']['ambiguous']}, wrong {head['in']['wrong']}, "
        f"none {head['in']['none']}"
        + (f"   recall {100 * head['recall']:.0f}% (target >= 85%)" if head["recall"] is not None else ""),
        f"  headline in-family answered right or 'A or B' holding the verdict: "
        f"{head['in']['right'] + head['in']['ambiguous']} of {head['in_family']} (shown apart: not counted as right)",
        f"  headline out-of-family ({head['out_of_family']}): right (none named) {head['out']['right']}, "
        f"wrong {head['out']['wrong']}",
        f"  headline wrong answers: {head['wrong']} of {head['reports']} ({100 * (head['wrong_rate'] or 0):.1f}%; "
        "target <= 2%)",
        f"  negative corpus: {len(r['negative']['claimed'])} of {r['negative']['texts']} texts claimed (target 0)",
        "  by subset (held-out: headline without the reports a signature was tuned on or that seed an entry):",
    ]
    for name, f in r["subsets"].items():
        recall = f"{100 * f['recall']:.0f}%" if f["recall"] is not None else "n/a"
        lines.append(
            f"    {name:9} {f['reports']:3} reports, in-family {f['in_family']:2}: right {f['in']['right']:2} "
            f"({f['right_strong']} strong, {f['right_weak']} weak), recall {recall:>4}; ambiguous {f['in']['ambiguous']}; "
            f"wrong {f['wrong']} of {f['reports']}")
    lines.append("  misses by class, all reports (a report may be in several):")
    for cls, files in r["misses_by_class"].items():
        lines.append(f"    {cls} ({len(files)}): {', '.join(f.removesuffix('.txt') for f in files)}")
    for kind in ("ambiguous", "wrong"):
        listed = [row for row in r["rows"] if row["outcome"] == kind]
        if listed:
            lines.append(f"  {kind} answers, all reports:")
            lines += [f"    {row['file']}: verdict {row['verdict']}, triage named {row['answer']} ({row['strength']})"
                      for row in listed]
    return "\n".join(lines)
