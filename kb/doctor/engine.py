"""The scan: every ``.py`` file under the paths, each rule of ``kb/doctor/rules/`` run on it.

A rule module is ``kb/doctor/rules/<entry id with underscores>.py`` and declares ``RULES``, a
list of ``kb.doctor.model.Rule``. A finding on a line that says ``# kb: ignore[KB241]`` (or
``# kb: ignore`` for every code) is dropped."""

import gc
import importlib
import pkgutil
import re
from pathlib import Path

from .context import FileContext
from .model import Finding, Rule
from .project import Project
from .versions import applies

IGNORE = re.compile(r"#\s*kb:\s*ignore(?:\[([A-Z0-9,\s]+)\])?")
SKIP_DIRS = {".git", ".venv", "venv", "env", ".tox", ".nox", "node_modules", "__pycache__",
             "site-packages", "build", "dist", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def all_rules() -> list[Rule]:
    rules_package = importlib.import_module(f"{__package__}.rules")
    found = []
    for info in sorted(pkgutil.iter_modules(rules_package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{rules_package.__name__}.{info.name}")
        found += list(getattr(module, "RULES", []))
    return sorted(found, key=lambda r: r.code)


def python_files(paths: list[Path]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_file():
            files.append(path)
            continue
        for candidate in sorted(path.rglob("*.py")):
            if not SKIP_DIRS.intersection(candidate.relative_to(path).parts[:-1]):
                files.append(candidate)
    return files


def wanted(rule: Rule, select: list[str], ignore: list[str]) -> bool:
    def hit(prefixes):
        return any(rule.code.startswith(p) for p in prefixes)

    return (not select or hit(select)) and not hit(ignore)


def fix_for(rule: Rule, versions: dict[str, str]) -> str:
    for package, table in rule.fixes.items():
        for specifier, text in table.items():
            ok, unknown = applies({package: specifier}, versions)
            if ok and not unknown:
                return text
    return rule.fix


def check_file(ctx: FileContext, rules: list[Rule], versions: dict[str, str]) -> list[Finding]:
    findings = []
    for rule in rules:
        if rule.needs and not any(token in ctx.source for token in rule.needs):
            continue
        ok, unknown = applies(rule.versions, versions)
        if not ok:
            continue
        note = f" (on {', '.join(f'{p} {s}' for p, s in rule.versions.items())}; " \
               f"{', '.join(unknown)} version unknown)" if unknown else ""
        for hit in rule.check(ctx):
            node, detail = hit if isinstance(hit, tuple) else (hit, "")
            line = getattr(node, "lineno", 1)
            text = ctx.lines[line - 1] if 0 < line <= len(ctx.lines) else ""
            if (m := IGNORE.search(text)) and (m.group(1) is None or rule.code in re.split(r"[,\s]+", m.group(1))):
                continue
            message = rule.message + (f": {detail}" if detail else "") + note
            findings.append(Finding(str(ctx.path), line, getattr(node, "col_offset", 0) + 1, rule.code,
                                    rule.entry, message, fix_for(rule, versions), rule.name))
    return findings


def scan(paths: list[Path], *, select=(), ignore=(), versions: dict[str, str] | None = None,
         project: Project | None = None, rules: list[Rule] | None = None,
         errors: list[str] | None = None) -> list[Finding]:
    """Every finding under ``paths``, sorted by file and line. Files that do not parse are
    named in ``errors`` (a scan never stops on one)."""
    rules = [r for r in (rules if rules is not None else all_rules()) if wanted(r, list(select), list(ignore))]
    files = python_files(paths)
    if project is None:
        roots = sorted({Project.root_of(p) for p in paths} | {f.resolve().parent for f in files if f.is_file()})
        project = Project(roots)
    project.files = files
    versions = versions if versions is not None else {}
    findings = []
    # The scan keeps every file's tree (some thousand nodes a file) and leaves next to no garbage:
    # the cyclic collector, run as the trees pile up, would walk them all again and again (close
    # to half the time of a 1,000-file scan). It is paused for the scan, as it was found after.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for path in files:
            ctx = project.context(path)
            if ctx is None:
                if errors is not None:
                    errors.append(f"{path}: not readable Python (skipped)")
                continue
            findings += check_file(ctx, rules, versions)
    finally:
        if collecting:
            gc.enable()
    seen, unique = set(), []
    for f in sorted(findings, key=lambda f: (f.path, f.line, f.col, f.code)):
        if (f.path, f.line, f.code) not in seen:
            seen.add((f.path, f.line, f.code))
            unique.append(f)
    return unique
