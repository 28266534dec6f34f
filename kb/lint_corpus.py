"""``kb lint``'s corpus checks: an entry's captured and reported texts triage to it, each
signature is used, every pytest form of every scenario is captured, ``no-evidence.txt`` is
honest, and no text of ``corpus/_negative/`` triages to any entry."""

import re
from pathlib import Path

from .corpus import NEGATIVE, PYTEST_FORMS, requirements, texts
from .entries import Entry
from .results import Problem
from .signature import parse_all
from .triage import holds, triage


def corpus(entry: Entry, entries: list[Entry]) -> list[Problem]:
    """The entry's captured and reported texts triage to it (``Triage.answer``: it alone); each
    signature is used."""
    root = entry.root
    folder = root / "corpus" / entry.id
    found = texts(root, entry.id)
    if not any(path.parent.parent.name == "captured" for path, _ in found):
        return [Problem(entry.path, f"no captured corpus: write corpus/{entry.id}/scenarios/ and run "
                                    f"`kb corpus {entry.id}`", "corpus-missing")]
    problems, matched = [], {}
    for path, text in found:
        report = triage(text, entries, str(path))
        answer = matched[path] = report.answer
        first = answer[0] if answer else None
        if first is None and summary_only(path):
            continue  # a bare summary line with no evidence: accepted while no entry claims it
        if entry.id in answer and len(answer) > 1 and listed_ambiguous(path, entry.id, answer):
            continue  # listed: its one clue fits the other entries as well ("ambiguous: A or B")
        if first is not None and entry.id not in answer and listed_for(path, first):
            continue  # listed: its one clue is shared with the entry it names (e.g. a --tb=line form)
        if answer != (entry.id,):
            also = f" ({entry.id} ranks lower)" if entry.id in report.matches and entry.id not in answer else ""
            got = f"ambiguous: {' or '.join(answer)}" if len(answer) > 1 else first or "no entry"
            problems.append(Problem(path, f"triages to {got}, not {entry.id}{also}", "corpus-mismatch"))
    for name, why in no_evidence(folder).items():
        if not why:
            problems.append(Problem(folder / NO_EVIDENCE, f"{name}: say why it carries no evidence",
                                    "corpus-no-evidence"))
        if (folder / "captured" / name) not in matched:
            problems.append(Problem(folder / NO_EVIDENCE, f"{name}: no such capture in captured/",
                                    "corpus-no-evidence"))
        elif entry.id in (answer := matched[folder / "captured" / name]) and not (
                len(answer) > 1 and listed_ambiguous(folder / "captured" / name, entry.id, answer)):
            problems.append(Problem(folder / NO_EVIDENCE, f"{name} triages to {entry.id}: it has evidence, "
                                                          "remove the line", "corpus-no-evidence"))
    parsed, _ = parse_all(entry.signatures if isinstance(entry.signatures, list) else [])
    for signature in parsed:
        if not any(holds(signature, text) for _, text in found):
            problems.append(Problem(entry.path, f"signature {signature.name!r} matches none of the texts "
                                                f"in corpus/{entry.id}/", "signature-unused"))
    scenarios = sorted((folder / "scenarios").glob("test_*.py"))
    pins = folder / "captured" / "pins"
    for scenario in scenarios:
        name = scenario.stem.removeprefix("test_")
        # a scenario for some versions only (``# kb-corpus: python >= X.Y``, ``asgiref < 3.9``) is
        # captured by a set that has them, whichever interpreter runs this check (the notebook
        # runs it on every set)
        scoped = requirements(scenario.read_text(encoding="utf-8", errors="replace"))
        sets = [p for p in (folder / "captured").glob("*") if p.is_dir()] if scoped else [pins]
        lacking = [form for form in (*PYTEST_FORMS, "junit")
                   if not any((s / f"{name}.{form}.{'xml' if form == 'junit' else 'txt'}").exists() for s in sets)]
        if lacking:
            problems.append(Problem(scenario, f"no {'' if scoped else 'pins '}capture in form(s) {', '.join(lacking)}: run "
                                              f"`kb corpus {entry.id}`", "corpus-forms"))
    return problems


NO_EVIDENCE = "no-evidence.txt"


def summary_only(path: Path) -> bool:
    """A capture that carries no evidence of its cause: it only must not triage to another entry.

    Every ``--tb=no`` capture (pytest's summary line alone, cut to the terminal width: when the
    failure's message is shared with other causes, a bare ``CancelledError``, or cut off by a
    long test id, no signature can honestly claim it), and each capture listed, with its reason,
    in ``corpus/<id>/no-evidence.txt`` as ``<set>/<file>: <why>`` (e.g. pytest 8's
    ``--tb=line`` prints a live server's ``HTTP 500`` without the server's log).
    """
    return path.name.endswith(".no.txt") or f"{path.parent.name}/{path.name}" in no_evidence(path.parents[2])


def listed_for(path: Path, other: str) -> bool:
    """``path`` is listed in its entry's ``no-evidence.txt`` with a reason that says it
    ``triages to <other>``: a form whose only clue is the same text as another entry's (pytest's
    ``--tb=line`` keeps no frame), accepted for that one named entry only."""
    why = no_evidence(path.parents[2]).get(f"{path.parent.name}/{path.name}", "")
    return re.search(rf"\btriages to {re.escape(other)}(?![\w-])", why) is not None


def listed_ambiguous(path: Path, own: str, answer) -> bool:
    """``path`` is listed in its entry's ``no-evidence.txt`` with a reason that says it is
    ``ambiguous with <id>`` for every other entry of ``answer``: a form whose only clue fits
    those entries as well as its own (``kb triage`` answers "ambiguous: A or B")."""
    why = no_evidence(path.parents[2]).get(f"{path.parent.name}/{path.name}", "")
    return all(re.search(rf"\bambiguous with {re.escape(other)}(?![\w-])", why) for other in answer if other != own)


def no_evidence(folder: Path) -> dict[str, str]:
    """``corpus/<id>/no-evidence.txt`` as ``{"<set>/<file>": why}`` (empty without the file)."""
    listing = folder / NO_EVIDENCE
    if not listing.is_file():
        return {}
    found = {}
    for line in listing.read_text(encoding="utf-8").splitlines():
        name, _, why = line.partition(":")
        if name.strip() and not name.startswith("#"):
            found[name.strip()] = why.strip()
    return found


def negative(root: Path, entries: list[Entry]) -> list[Problem]:
    """No text of ``corpus/_negative/`` triages to any entry."""
    found = texts(root, NEGATIVE)
    if not found:
        return [Problem(root / "corpus" / NEGATIVE, "no negative corpus: failures no entry may match",
                        "corpus-missing")]
    problems = []
    for path, text in found:
        report = triage(text, entries, str(path))
        if report.matched:
            problems.append(Problem(path, f"a failure of no entry triages to {', '.join(report.matches)}",
                                    "corpus-negative"))
    return problems
