"""Find the known traps in a project's tests before they fail (static, no import of the project).

Scans the Python files under PATH (default: the current folder) with the standard library's
`ast`: tests, routing, consumers and settings, following names into the project's own modules
and conftest.py files. Each finding reads `file:line:col  KBnnn  entry-id  message`, with the
fix for the versions found and the entry whose notebook proves it (`kb show ID`). Version rules
judge by `--requirements` files, else the project's requirements*.txt / uv.lock / poetry.lock,
else the packages installed here.

Per line: `# kb: ignore[KB240]` (or `# kb: ignore`). Per project: a `[tool.kb.doctor]` table in
the pyproject.toml above PATH, with `select`, `ignore` (lists of codes or prefixes) and
`requirements` (files); the options add to it. README, "kb doctor", lists every rule.

Exit status: 0 no finding, 1 findings, 2 bad input (no such path, an unknown code, an unreadable
requirements file or configuration).
"""

from .cli import add_arguments, run  # noqa: F401 - the verb's interface (kb.cli)
