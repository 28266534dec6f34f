"""The ``kb doctor`` verb's options and its run (the module docstring of ``kb.doctor`` is its help)."""

import sys
from pathlib import Path

from .engine import all_rules, python_files, scan, wanted
from .output import as_json, relative_base, sarif, text
from .project import Project
from .versions import VersionsError, resolve

FORMATS = ("text", "json", "sarif")


class DoctorError(ValueError):
    """Bad input; one line."""


def add_arguments(parser) -> None:
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--select", default="", metavar="CODES",
                        help="only these codes or prefixes, comma-separated (KB24,KB300)")
    parser.add_argument("--ignore", default="", metavar="CODES", help="leave these codes or prefixes out")
    parser.add_argument("--requirements", type=Path, action="append", default=[], metavar="FILE",
                        help="read versions from this requirements.txt, uv.lock or poetry.lock (repeatable)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the report here, not to stdout")


def codes(text: str, known: set[str], where: str) -> list[str]:
    found = [c.strip().upper() for c in text.split(",") if c.strip()] if isinstance(text, str) else \
        [str(c).strip().upper() for c in text]
    for code in found:
        if not any(k.startswith(code) for k in known) or not code.startswith("KB"):
            raise DoctorError(f"{where}: unknown code {code!r} (kb doctor --help; README lists the rules)")
    return found


def project_config(root: Path) -> dict:
    path = root / "pyproject.toml"
    if not path.is_file():
        return {}
    import tomllib

    try:
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("kb", {}).get("doctor", {})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DoctorError(f"{path}: not valid TOML ({exc})") from None
    if not isinstance(table, dict) or any(k not in ("select", "ignore", "requirements") for k in table) \
            or any(not isinstance(v, list) for v in table.values()):
        raise DoctorError(f"{path}: [tool.kb.doctor] takes select, ignore and requirements, each a list")
    return table


def run(args) -> int:
    try:
        return doctor(args)
    except (DoctorError, VersionsError) as exc:
        print(f"kb doctor: {exc}", file=sys.stderr)
        return 2


def doctor(args) -> int:
    paths = args.paths or [Path(".")]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise DoctorError(f"no such file or folder: {missing[0]}")
    rules = all_rules()
    known = {r.code for r in rules}
    root = Project.root_of(paths[0])
    config = project_config(root)
    select = codes(args.select, known, "--select") or codes(config.get("select", []), known, "[tool.kb.doctor] select")
    ignore = codes(args.ignore, known, "--ignore") + codes(config.get("ignore", []), known, "[tool.kb.doctor] ignore")
    requirements = list(args.requirements) + [root / p for p in config.get("requirements", [])]
    for path in requirements:
        if not path.is_file():
            raise DoctorError(f"no such requirements file: {path}")
    versions, versions_from = resolve(requirements, root)
    errors: list[str] = []
    files = python_files(paths)
    findings = scan(paths, select=select, ignore=ignore, versions=versions, rules=rules, errors=errors)
    base = relative_base()
    if args.format == "json":
        report = as_json(findings, len(files), versions, versions_from, base, errors)
    elif args.format == "sarif":
        from importlib import metadata

        try:
            version = metadata.version("channels-test-kb")
        except metadata.PackageNotFoundError:
            version = "0"
        report = sarif(findings, [r for r in rules if wanted(r, select, ignore)], base, version)
    else:
        report = text(findings, len(files), versions_from, base, errors)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    return 1 if findings else 0


def plugin_lines(paths: list[Path]) -> list[str]:
    """``kb doctor``'s text report for the pytest plugin's ``--kb-doctor`` (installed versions)."""
    from .versions import from_environment

    files = python_files(paths)
    findings = scan(paths, versions=from_environment())
    return text(findings, len(files), "the running environment", relative_base(), []).splitlines()
