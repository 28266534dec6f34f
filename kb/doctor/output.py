"""The three formats of ``kb doctor``: text (``file:line:col  KBnnn  entry-id  message``), JSON,
and SARIF 2.1.0 (what GitHub code scanning reads)."""

import json
import os
from collections import Counter
from pathlib import Path

from .. import REPO
from .model import Finding, Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/django/channels"  # the rules' subject; each rule's help names its entry


def shown(path: str, base: Path) -> str:
    """``path`` relative to ``base`` when it is under it (forward slashes), else as given."""
    try:
        return Path(path).resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def proof(entry: str) -> tuple[str, str]:
    return str(REPO / "context" / f"{entry}.md"), str(REPO / "notebooks" / f"{entry}.ipynb")


def text(findings: list[Finding], files: int, versions_from: str, base: Path, errors: list[str]) -> str:
    lines = []
    for f in findings:
        lines.append(f"{shown(f.path, base)}:{f.line}:{f.col}  {f.code}  {f.entry}  {f.message}")
        lines.append(f"    fix: {f.fix}")
    for error in errors:
        lines.append(f"skipped: {error}")
    counts = Counter(f.code for f in findings)
    summary = ", ".join(f"{code} x{n}" for code, n in sorted(counts.items()))
    noun = "finding" if len(findings) == 1 else "findings"
    lines.append(f"{len(findings)} {noun}{f' ({summary})' if summary else ''} in {files} "
                 f"file{'s' * (files != 1)}; versions from {versions_from}")
    entries = sorted({f.entry for f in findings})
    if entries:
        lines.append("read and run the proof:")
        for entry in entries:
            writeup, notebook = proof(entry)
            lines.append(f"  {entry}: {writeup}  (pytest --nbmake {notebook})")
    return "\n".join(lines) + "\n"


def as_json(findings: list[Finding], files: int, versions: dict, versions_from: str, base: Path,
            errors: list[str]) -> str:
    items = []
    for f in findings:
        item = f.as_dict()
        item["path"] = shown(f.path, base)
        item["writeup"], item["notebook"] = proof(f.entry)
        items.append(item)
    return json.dumps({"files": files, "versions": versions, "versions_from": versions_from,
                       "findings": items, "errors": errors}, indent=2) + "\n"


def sarif(findings: list[Finding], rules: list[Rule], base: Path, version: str) -> str:
    index = {rule.code: i for i, rule in enumerate(rules)}
    driver_rules = []
    for rule in rules:
        writeup, notebook = proof(rule.entry)
        driver_rules.append({
            "id": rule.code,
            "name": "".join(part.capitalize() for part in rule.name.split("-")),
            "shortDescription": {"text": rule.message},
            "fullDescription": {"text": f"{rule.message}. Entry: {rule.entry}."},
            "help": {"text": f"Fix: {rule.fix}\nProof: {writeup} (pytest --nbmake {notebook})",
                     "markdown": f"**Fix:** {rule.fix}\n\n**Proof:** entry `{rule.entry}`: "
                                 f"`context/{rule.entry}.md`, `notebooks/{rule.entry}.ipynb`"},
            "defaultConfiguration": {"level": "warning"},
            "properties": {"entry": rule.entry, "tags": ["channels", "tests", rule.entry]},
        })
    results = []
    for f in findings:
        results.append({
            "ruleId": f.code,
            "ruleIndex": index.get(f.code, 0),
            "level": "warning",
            "message": {"text": f"{f.message}. Fix: {f.fix}"},
            "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": shown(f.path, base), "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": f.line, "startColumn": f.col},
            }}],
        })
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "kb doctor", "version": version, "informationUri": INFO_URI,
                                "rules": driver_rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": base.resolve().as_uri() + "/"}},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    }
    return json.dumps(document, indent=2) + "\n"


def relative_base() -> Path:
    return Path(os.getcwd())
