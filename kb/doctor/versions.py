"""The versions a scan judges version rules by: ``--requirements`` files, else the project's own
pins (``requirements*.txt``, ``uv.lock``, ``poetry.lock`` at its root), else the packages
installed where ``kb`` runs (``importlib.metadata``). Python is always the running one unless a
lock file names it. A version that none of them gives is unknown: a version rule then still
reports, and says the version was not known."""

import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

#: the distributions whose versions a rule may depend on
PACKAGES = ("django", "channels", "channels-redis", "daphne", "asgiref", "redis", "websockets",
            "pytest", "pytest-asyncio", "pytest-django", "python-socks")
PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*([^\s;#,]+)")


class VersionsError(ValueError):
    """A requirements or lock file that cannot be read; one line."""


def from_environment() -> dict[str, str]:
    found = {"python": ".".join(map(str, sys.version_info[:3]))}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return found


def from_file(path: Path) -> dict[str, str]:
    """Exact pins of a requirements file, or every package of a ``uv.lock``/``poetry.lock``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VersionsError(f"cannot read {path}: {exc.__class__.__name__}: {exc}") from None
    if path.name in ("uv.lock", "poetry.lock"):
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise VersionsError(f"{path} is not TOML: {exc}") from None
        return {canonicalize_name(p["name"]): str(p["version"]) for p in data.get("package", [])
                if isinstance(p, dict) and "name" in p and "version" in p}
    return {canonicalize_name(m.group(1)): m.group(2) for line in text.splitlines()
            if (m := PIN.match(line))}


def project_files(root: Path) -> list[Path]:
    return sorted(root.glob("requirements*.txt")) + [root / n for n in ("uv.lock", "poetry.lock")
                                                     if (root / n).is_file()]


def resolve(requirements: list[Path], root: Path | None) -> tuple[dict[str, str], str]:
    """``(versions, where they came from)``."""
    files = list(requirements) or (project_files(root) if root else [])
    if not files:
        return from_environment(), "the running environment"
    found = {"python": ".".join(map(str, sys.version_info[:3]))}
    for path in files:
        found.update(from_file(path))
    return found, ", ".join(str(p) for p in files)


def applies(spec: dict[str, str], versions: dict[str, str]) -> tuple[bool, list[str]]:
    """Whether a rule limited to ``spec`` (``{"redis": ">=8"}``) applies, and which of its
    packages' versions were unknown (the rule applies then too)."""
    unknown = []
    for name, specifier in spec.items():
        have = versions.get(name)
        if have is None:
            unknown.append(name)
            continue
        try:
            if Version(have) not in SpecifierSet(specifier, prereleases=True):
                return False, []
        except (InvalidVersion, InvalidSpecifier):
            unknown.append(name)
    return True, unknown
