"""What ``kb triage`` prints: the text report, each failing test's best entry, the versions
read with the notes and Versions-table rows they select, and ``--json``. The plugin and the
site's triage.js word their answers the same way (kb/browser.py hands the texts over)."""

import json
from pathlib import Path

from .logversions import describe
from .results import Match, Triage


def shown(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


WEAK = "this message alone; other causes print it too. Check the write-up's Symptom"
#: the same for a match on frames alone: no message matched
WEAK_FRAMES = ("only frames matched, no message: any error raised inside them shows them too. "
               "Read the exception line first, then the write-up's Symptom")


def explain(match: Match, indent: str = "  ") -> list[str]:
    """The lines saying why ``match`` was made: signature, strength, the evidence lines."""
    head = f"{indent}evidence: {match.strength} ({match.signature})"
    weak = WEAK_FRAMES if match.basis == "frames" else WEAK
    lines = [head + (f" - {weak}" if match.strength == "weak" else "")]
    lines += [f"{indent}  | {line}" for line in match.lines]
    return lines


#: the wording of an ambiguous answer (``Triage.answer``: two entries' evidence fits equally)
AMBIGUOUS = ("the evidence fits these entries equally and this text cannot tell them apart: "
             "read each write-up's Symptom, or paste the whole traceback")


def answer_lines(report: Triage) -> list[str]:
    """One line when the answer is ambiguous (``Triage.answer``), else none."""
    if len(report.answer) < 2:
        return []
    return [f"ambiguous: {' or '.join(report.answer)} - {AMBIGUOUS}"]


def named(failure) -> str:
    """A failure report's answer: its best entry, or "ambiguous: A or B" when others tie with it."""
    best = failure.best
    if failure.ambiguous:
        return f"ambiguous: {' or '.join(failure.tied)} ({best.strength})"
    return f"{best.entry_id} ({best.strength}, {best.signature})"


#: failing tests listed one per line, at most
LISTED = 20


def failure_lines(report: Triage, limit: int = LISTED) -> list[str]:
    """Each failure report with its best entry (or none), strongest first, when there are two
    or more and something matched: a strong match in one test never hides another test's cause."""
    if len(report.reports) < 2 or not report.matched:
        return []
    out = [f"{len(report.reports)} failure reports, each with its best entry, strongest first:"]
    for failure in report.reports[:limit]:
        best = failure.best
        if best is None:
            out.append(f"  {failure.where}: no known issue")
            continue
        also = [m.entry_id for m in failure.matches[1:] if m.entry_id not in failure.tied]
        out.append(f"  {failure.where}: {named(failure)}" + (f"; also {', '.join(also)}" if also else ""))
    if len(report.reports) > limit:
        out.append(f"  (and {len(report.reports) - limit} more)")
    return out


def version_lines(report: Triage, label: str = "versions read") -> list[str]:
    """The versions read, and the notes and Versions-table rows they select (when something
    matched: they point at a fix)."""
    if not report.versions or not report.matched:
        return []
    out = [f"{label}: {describe(report.versions)}"]
    for entry_id, note in report.notes:
        out.append(f"note ({entry_id}, {' and '.join(note.when)}): {note.text} [{note.cite}]")
    for entry_id, row in report.rows:
        out.append(f"measured ({entry_id}, its Versions table): {row['line']} "
                   f"(agrees on {', '.join(row['agreed'])})")
    return out


def format_report(report: Triage, limit: int = 3) -> str:
    if not report.matched:
        return (f"no known issue matches {report.source} "
                f"({report.failures} failure report{'s' * (report.failures != 1)} looked at)")
    tail = failure_lines(report)
    tail += [""] if tail else []
    tail += version_lines(report)
    out = [*answer_lines(report)]
    out += [""] if out else []
    for rank_no, matches in enumerate(report.matches.values(), 1):
        best = max(matches, key=lambda m: m.score)
        places = [m.where for m in matches]
        more = f" (and {len(places) - limit} more)" if len(places) > limit else ""
        out += [f"{rank_no}. {best.entry_id}: {best.title}", *explain(best),
                f"  in:       {', '.join(places[:limit])}{more}",
                f"  write-up: {shown(best.writeup)}",
                f"  notebook: {shown(best.notebook)}",
                *([f"  layer:    {best.layer}"] if best.layer else []),
                ""]
    out += tail
    n = len(report.matches)
    out.append(f"{n} known issue{'s' * (n != 1)} matched in {report.source}"
               + (", strongest evidence first" if n > 1 else ""))
    return "\n".join(out)


def _match_json(m: Match) -> dict:
    return {"id": m.entry_id, "title": m.title, "signature": m.signature, "strength": m.strength,
            "lines": list(m.lines), "line": m.line, "where": m.where, "writeup": str(m.writeup),
            "notebook": str(m.notebook), "layer": m.layer, "basis": m.basis}


def as_json(report: Triage) -> str:
    """``source``, ``failures`` and ``matches`` (every match, grouped by entry, strongest entry
    first) as before; ``reports``: one item per failure report, strongest first, with its
    ``best`` match (null: no known issue) and the other entries it matches (``also``);
    ``versions``: what the input shows; ``notes`` and ``rows``: what they select; ``answer``:
    the entry named first, or the entries that fit equally (``ambiguous`` true); each report's
    ``tied``: its entries whose evidence is as good as ``best``'s (two or more: ambiguous)."""
    return json.dumps({
        "source": report.source,
        "failures": report.failures,
        "answer": list(report.answer),
        "ambiguous": len(report.answer) > 1,
        "matches": [_match_json(m) for found in report.matches.values() for m in found],
        "reports": [{"where": f.where, "best": _match_json(f.best) if f.best else None,
                     "also": [m.entry_id for m in f.matches[1:]], "tied": list(f.tied)} for f in report.reports],
        "versions": [{"name": s.name, "version": s.version, "from": s.source} for s in report.versions],
        "notes": [{"id": i, "when": list(n.when), "text": n.text, "cite": n.cite} for i, n in report.notes],
        "rows": [{"id": i, "set": row["set"], "line": row["line"], "agreed": row["agreed"]} for i, row in report.rows],
    }, indent=2)
