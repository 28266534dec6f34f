"""``kb lint``'s proof of ``kb doctor`` on the corpus (README, "kb doctor").

- every scenario ``corpus/<id>/scenarios/*.py`` is flagged by a rule of ``<id>``, or
  ``corpus/<id>/doctor.txt`` says why not, one line each: ``<file>: not statically visible: <why>``
  (a line for a scenario that is flagged, or that does not exist, is a problem too);
- every fixed variant ``corpus/<id>/fixed/*.py`` is flagged by no rule at all, and every entry
  whose scenarios are flagged has at least one;
- no scenario of ``corpus/_negative/`` is flagged;
- every rule's code lies in its entry's block (``kb.doctor.codes``) and names an entry that exists.

A team's own entry (another knowledge root) without rules, `doctor.txt` or fixed variants is not
checked. Scenarios are scanned as parts of the project they run in (the knowledge base's root: the
harness is their code under test), with every version unknown, so version rules apply.
"""

import re
from pathlib import Path

from . import REPO
from .corpus import NEGATIVE
from .doctor import codes, engine
from .doctor.project import Project
from .results import Problem

REASON = re.compile(r"^([\w.-]+\.py): not statically visible: (\S.*)$")


def project_for(root: Path, folders: list[Path]) -> Project:
    project = Project([root, *folders])
    project.files = engine.python_files([root / "harness"]) if (root / "harness").is_dir() else []
    return project


def reasons(path: Path) -> tuple[dict[str, str], list[Problem]]:
    found, problems = {}, []
    if not path.is_file():
        return found, problems
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        m = REASON.match(line)
        if m is None:
            problems.append(Problem(path, f"line {number}: want '<file>.py: not statically visible: <why>'",
                                    "doctor-corpus"))
        else:
            found[m.group(1)] = m.group(2)
    return found, problems


def findings_in(project: Project, path: Path, rules) -> list:
    ctx = project.context(path)
    return engine.check_file(ctx, rules, {}) if ctx is not None else []


def entry_proof(root: Path, entry_id: str, rules=None) -> list[Problem]:
    rules = rules if rules is not None else engine.all_rules()
    folder = root / "corpus" / entry_id
    scenarios = sorted((folder / "scenarios").glob("*.py"))
    fixed = sorted((folder / "fixed").glob("*.py"))
    if not scenarios and not fixed:
        return []
    if not any(r.entry == entry_id for r in rules) and root.resolve() != REPO.resolve() \
            and not (folder / "doctor.txt").exists() and not fixed:
        return []  # a team's own entry: kb doctor has no rules for it (README, "kb doctor")
    project = project_for(root, [folder / "scenarios", folder / "fixed"])
    listed, problems = reasons(folder / "doctor.txt")
    flagged_any = False
    for scenario in scenarios:
        own = [f for f in findings_in(project, scenario, rules) if f.entry == entry_id]
        flagged_any |= bool(own)
        if own and scenario.name in listed:
            problems.append(Problem(folder / "doctor.txt", f"{scenario.name} is listed as not statically "
                                    f"visible, yet {own[0].code} flags it (line {own[0].line}): drop the line",
                                    "doctor-corpus"))
        elif not own and scenario.name not in listed:
            problems.append(Problem(scenario, f"no rule of {entry_id} flags this scenario: add one "
                                    f"(kb/doctor/rules/) or say why in corpus/{entry_id}/doctor.txt",
                                    "doctor-corpus"))
    for name in sorted(set(listed) - {s.name for s in scenarios}):
        problems.append(Problem(folder / "doctor.txt", f"{name}: no such scenario", "doctor-corpus"))
    for path in fixed:
        for f in findings_in(project, path, rules):
            problems.append(Problem(path, f"the fixed variant is flagged: {f.code} at line {f.line} "
                                    f"({f.message})", "doctor-corpus"))
    if flagged_any and not fixed:
        problems.append(Problem(folder, f"no fixed variant: add corpus/{entry_id}/fixed/<name>.py, a scenario "
                                "with its trap fixed, which no rule flags", "doctor-corpus"))
    return problems


def negative_proof(root: Path, rules=None) -> list[Problem]:
    rules = rules if rules is not None else engine.all_rules()
    folder = root / "corpus" / NEGATIVE / "scenarios"
    project = project_for(root, [folder])
    return [Problem(path, f"a negative scenario is flagged: {f.code} at line {f.line} ({f.message})",
                    "doctor-corpus")
            for path in sorted(folder.glob("*.py")) for f in findings_in(project, path, rules)]


def rule_codes(root: Path, rules=None) -> list[Problem]:
    rules = rules if rules is not None else engine.all_rules()
    problems = []
    for rule in rules:
        owner = codes.block_of(rule.code)
        if owner != rule.entry:
            problems.append(Problem(root / "kb" / "doctor" / "codes.py", f"{rule.code} ({rule.name}) is "
                                    f"declared for {rule.entry} but lies in the block of {owner}", "doctor-codes"))
        if not (root / "context" / f"{rule.entry}.md").is_file() and (root / "context").is_dir():
            problems.append(Problem(root / "context", f"{rule.code} names no entry: {rule.entry}", "doctor-codes"))
    return problems
