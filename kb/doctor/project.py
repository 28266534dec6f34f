"""The project around the scanned files: its roots (where its modules are found), its files
parsed once, its conftest.py files and pytest configuration."""

from pathlib import Path

from .context import MARKERS, FileContext
from .pytestconfig import read_pytest_config


class Project:
    """The files of one scan and the modules they import, parsed once."""

    def __init__(self, roots: list[Path]):
        self.roots = [r.resolve() for r in roots]
        self._modules, self._contexts, self._configs = {}, {}, {}
        self.files: list[Path] = []  #: the files of the scan (kb.doctor.engine sets them)

    def scanned(self) -> list[FileContext]:
        if getattr(self, "_scanned_for", None) is not self.files:
            self._scanned = [c for c in (self.context(p) for p in self.files) if c is not None]
            self._scanned_for = self.files
        return self._scanned

    def memo(self, key, make):
        """A value computed once per project (rules keep project-wide indexes here)."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]

    @staticmethod
    def root_of(path: Path) -> Path:
        start = path.resolve() if path.is_dir() else path.resolve().parent
        for folder in [start, *start.parents]:
            if any((folder / m).exists() for m in MARKERS):
                return folder
        return start

    def context(self, path: Path) -> FileContext | None:
        key = str(path)
        if key in self._contexts:
            return self._contexts[key]
        path = path.resolve()
        if str(path) in self._contexts:
            self._contexts[key] = self._contexts[str(path)]
            return self._contexts[key]
        if path not in self._contexts:
            try:
                source = path.read_text(encoding="utf-8")
                self._contexts[path] = FileContext(path, source, self)
            except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError):
                self._contexts[path] = None
        self._contexts[key] = self._contexts[str(path)] = self._contexts[path]
        return self._contexts[path]

    def module_name(self, path: Path) -> str | None:
        for root in self.roots:
            if path.is_relative_to(root):
                parts = path.relative_to(root).with_suffix("").parts
                return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        return None

    def module(self, dotted_name: str) -> FileContext | None:
        if dotted_name not in self._modules:
            found = None
            rel = Path(*dotted_name.split(".")) if dotted_name else None
            for root in self.roots if rel else []:
                for candidate in (root / rel.with_suffix(".py"), root / rel / "__init__.py"):
                    if candidate.is_file():
                        found = self.context(candidate)
                        break
                if found:
                    break
            self._modules[dotted_name] = found
        return self._modules[dotted_name]

    def conftests(self, path: Path) -> list[FileContext]:
        cache = self.__dict__.setdefault("_conftests", {})
        if path.parent not in cache:
            cache[path.parent] = self._conftests_of(path)
        return [c for c in cache[path.parent] if c.path != path]

    def _conftests_of(self, path: Path) -> list[FileContext]:
        found = []
        for folder in path.resolve().parents:
            candidate = folder / "conftest.py"
            if candidate.is_file():
                ctx = self.context(candidate)
                if ctx is not None:
                    found.append(ctx)
            if any((folder / m).exists() for m in MARKERS):
                break
        return found

    def pytest_config(self, folder: Path) -> dict:
        """``asyncio_mode``, ``asyncio_default_fixture_loop_scope`` and ``django_settings_module`` of the nearest pytest
        configuration (pytest.ini, pyproject.toml, tox.ini, setup.cfg), as strings or absent."""
        if folder in self._configs:
            return self._configs[folder]
        given, folder = folder, folder.resolve()
        if folder in self._configs:
            self._configs[given] = self._configs[folder]
            return self._configs[folder]
        found = None
        for here in [folder, *folder.parents]:
            found = read_pytest_config(here)
            if found is not None or any((here / m).exists() for m in MARKERS):
                break
        self._configs[folder] = self._configs[given] = found or {}
        return self._configs[folder]
