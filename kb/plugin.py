"""pytest plugin (entry point `kb_known_issues`): points failing tests at known issues.

When tests fail, the terminal summary gets a "known issues" block naming the knowledge-base
entries whose signatures match the failures' reports, with where to read and run them and the
layer each comes from (the shipped knowledge, or the project's own entries: `[tool.kb]` in a
`pyproject.toml` from the current folder up, `$KB_PATH`; see `kb.roots`); with
two or more failing tests, each test's own best entry (or none), strongest first; and the
installed versions the named entries' notes and Versions tables speak of, with the notes that
hold for them and the table's row.
Off with `--no-known-issues` or `-p no:kb_known_issues`; `--known-issues-root DIR` (repeatable)
matches against those knowledge bases instead. `--kb-doctor` prints `kb doctor`'s findings for
the paths pytest was given (its rootdir when none), judged by the installed versions, before the
tests run. The plugin only wires options and hands the reports to `kb.triage` and `kb.doctor`;
it never fails a test session itself.
"""

from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("kb", "knowledge base of Channels test failures")
    group.addoption("--no-known-issues", action="store_true",
                    help="do not point failing tests at knowledge-base entries")
    group.addoption("--known-issues-root", type=Path, action="append", default=None, metavar="DIR",
                    help="a knowledge base to match failures against, repeatable (default: the "
                         "shipped one and the project's own)")
    group.addoption("--kb-doctor", action="store_true",
                    help="before the run, print kb doctor's findings for the paths under test")


def pytest_collection_modifyitems(session, config, items):
    """After collection, before the first test: ``kb doctor``'s findings (``--kb-doctor``)."""
    if not config.getoption("kb_doctor", False):
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    paths = [Path(a.split("::")[0]) for a in config.args if Path(a.split("::")[0]).exists()]
    try:
        from .doctor.cli import plugin_lines

        lines = plugin_lines(paths or [config.rootpath])
    except Exception as exc:  # the doctor must not stop the tests
        lines = [f"kb doctor: not run ({exc.__class__.__name__}: {exc})"]
    if reporter is not None:
        reporter.write_sep("=", "kb doctor", yellow=True, bold=True)
        for line in lines:
            reporter.write_line(line)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """After pytest's own summaries (so the block sits just above the final counts line)."""
    result = yield
    if not config.getoption("no_known_issues"):
        _summary(terminalreporter, config)
    return result


def _summary(terminalreporter, config) -> None:
    reports = [r for kind in ("failed", "error") for r in terminalreporter.stats.get(kind, [])
               if getattr(r, "longrepr", None) is not None]
    if not reports:
        return
    try:
        lines = known_issues(reports, config.getoption("known_issues_root"))
    except Exception as exc:  # a broken entry must not hide the test results
        terminalreporter.write_line(f"kb: known issues not checked ({exc.__class__.__name__}: {exc})")
        return
    if lines:
        terminalreporter.write_sep("=", "known issues", yellow=True, bold=True)
        for line in lines:
            terminalreporter.write_line(line)


def known_issues(reports, root: "Path | list[Path] | None" = None) -> list[str]:
    """Lines naming each entry that matches some report (strongest evidence first), the tests
    it matched, why, its files and its layer (first a line saying so when two entries fit equally);
    then, with two or more failing tests, each test's best entry (or "ambiguous: A or B"); then the installed versions the named entries' notes and Versions tables speak of."""
    from . import roots
    from .logsplit import Reports
    from .results import Triage
    from .signature import normalise
    from .triage import entry_notes, entry_rows, match_entry, per_failure, rank, ranked_failures
    from .triage_text import answer_lines, explain, failure_lines, shown, version_lines

    named = [root] if isinstance(root, Path) else root
    entries, _ = roots.scan(roots.layers(named))
    order = {entry.id: i for i, entry in enumerate(entries)}
    found = Triage(source="pytest", failures=len(reports), matches={})
    running = signature_versions(entries)
    for report in reports:
        located = Reports(normalise(report.longreprtext), report.nodeid)
        matched = []
        for entry in entries:
            for match in match_entry(entry, located, running):
                found.matches.setdefault(entry.id, []).append(match)
                matched.append(match)
        found.reports += per_failure(located, matched, order, len(found.reports))
    found.matches = rank(found.matches, entries)
    found.reports = ranked_failures(found.reports)
    installed_versions(found, {entry.id: entry for entry in entries}, entry_notes, entry_rows)
    lines = []
    for rank_no, matches in enumerate(found.matches.values(), 1):
        best = max(matches, key=lambda m: m.score)
        tests = sorted({m.where for m in matches})
        lines += [f"{rank_no}. {best.entry_id}: {best.title}", *explain(best),
                  f"  in:       {', '.join(tests[:3])}" + (f" (and {len(tests) - 3} more)" if len(tests) > 3 else ""),
                  f"  read:     {shown(best.writeup)}",
                  *([f"  layer:    {best.layer}"] if best.layer else []),
                  f"  run:      kb run {best.entry_id}   (or pytest --nbmake {shown(best.notebook)})"]
    if lines:
        lines = answer_lines(found) + lines + failure_lines(found) + version_lines(found, "versions installed")
    return lines


def signature_versions(entries) -> list:
    """The installed versions of what the entries' signatures name in ``when`` (a signature
    whose cause needs other versions than this session's is ruled out)."""
    from .triage import compiled

    names = {_requirement_name(w) for entry in entries for s in compiled(entry) for w in s.when}
    return _installed(names)


def _installed(names) -> list:
    import platform
    from importlib import metadata

    from .logversions import Seen

    seen = [Seen("python", platform.python_version(), "installed")] if "python" in names else []
    for name in sorted(set(names) - {"python"}):
        try:
            seen.append(Seen(name, metadata.version(name), "installed"))
        except metadata.PackageNotFoundError:
            continue
    return seen


def installed_versions(found, by_id: dict, notes_of, rows_of) -> None:
    """The versions this session runs (Python and the distributions the named entries' notes
    and Versions tables name), and the notes and rows they select, into ``found``."""
    from .logversions import best_row
    from .triage import named_by_cause

    named = named_by_cause(found.reports)
    wanted = {name for i in named for row in rows_of(by_id[i]) for name in row["versions"]}
    wanted |= {_requirement_name(w) for i in named for note in notes_of(by_id[i]) for w in note.when}
    seen = _installed(wanted | {"python"})
    found.versions = seen
    for entry_id, names in named.items():
        found.notes += [(entry_id, note) for note in notes_of(by_id[entry_id]) if note.holds(seen) and note.covers(names)]
        if row := best_row(rows_of(by_id[entry_id]), seen):
            found.rows.append((entry_id, row))


def _requirement_name(text: str) -> str:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    return canonicalize_name(Requirement(text).name)
