"""kb.roots: the shipped knowledge plus a project's own roots, in layers, and where kb new writes."""

import shutil
from pathlib import Path

import pytest
from kbfixture import write_entry

from kb import REPO, cli, roots
from kb.plugin import known_issues

FAILING_LOG = """\
____ test_echo ____
E   test_suite.EchoRefused: connection 7 refused
==== 1 failed in 0.10s ====
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder, the current one, with `[tool.kb] entries = "docs/failures"`; no KB_PATH."""
    monkeypatch.delenv("KB_PATH", raising=False)
    monkeypatch.delenv("KB_ROOT", raising=False)
    folder = tmp_path / "project"
    (folder / "docs" / "failures").mkdir(parents=True)
    (folder / "pyproject.toml").write_text('[project]\nname = "p"\n\n[tool.kb]\nentries = "docs/failures"\n',
                                           encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def test_the_shipped_knowledge_comes_first_then_the_projects_own_root(project):
    found = roots.layers()
    assert [(la.label, la.shipped, la.writable) for la in found] == [
        ("shipped", True, False), ("docs/failures", False, True)]
    assert found[0].path == REPO.resolve() and found[1].project == project.resolve()


def test_kb_path_folders_come_before_the_pyproject_roots_and_nearer_pyprojects_first(project, monkeypatch, tmp_path):
    inner = project / "sub"
    (inner / "kb").mkdir(parents=True)
    (inner / "pyproject.toml").write_text('[tool.kb]\nentries = "kb"\n', encoding="utf-8")
    extra = tmp_path / "shared-kb"
    monkeypatch.setenv("KB_PATH", f"{extra}{':'}{project / 'docs' / 'failures'}")
    monkeypatch.chdir(inner)
    assert [la.path for la in roots.layers()][1:] == [
        extra.resolve(), (project / "docs" / "failures").resolve(), (inner / "kb").resolve()]
    # kb new: the nearest [tool.kb] root before $KB_PATH
    assert roots.writable_root().path == (inner / "kb").resolve()


def test_when_roots_are_given_then_exactly_those_are_read(project, tmp_path):
    assert [la.path for la in roots.layers([tmp_path / "a", tmp_path / "b", tmp_path / "a"])] == [
        (tmp_path / "a").resolve(), (tmp_path / "b").resolve()]


def test_each_listed_entry_names_its_layer(project, capsys):
    write_entry(project / "docs" / "failures", "team-only")
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["ID", "LAYER", "TITLE"]
    assert any(line.startswith("team-only") and " docs/failures " in line for line in out)
    assert any(line.startswith("origin-validator") and " shipped " in line for line in out)
    shipped = len(roots.scan([roots.layers()[0]])[0])
    assert out[-1] == f"{shipped + 1} entries ({shipped} shipped, 1 docs/failures)"


def test_when_an_id_is_defined_in_two_layers_then_every_verb_exits_2_naming_both(project, monkeypatch, tmp_path, capsys):
    other = tmp_path / "other"
    write_entry(other)
    write_entry(project / "docs" / "failures")
    monkeypatch.setenv("KB_PATH", str(other))
    log = tmp_path / "x.log"
    log.write_text(FAILING_LOG, encoding="utf-8")
    for argv in (["list"], ["show", "echo-refused"], ["triage", str(log)], ["lint"], ["site"],
                 ["run", "--no-site", "echo-refused"]):
        assert cli.main(argv) == roots.EXIT_CONFIG == 2, argv
        err = capsys.readouterr().err
        assert err == (f"kb {argv[0]}: entry 'echo-refused' is defined twice: "
                       f"{other.resolve() / 'context' / 'echo-refused.md'} ({other.resolve()}) and "
                       f"{project.resolve() / 'docs/failures/context/echo-refused.md'} (docs/failures)\n"), argv


def test_when_tool_kb_is_malformed_then_one_line_and_exit_2(project, capsys):
    (project / "pyproject.toml").write_text("[tool.kb]\nentries = 3\n", encoding="utf-8")
    assert cli.main(["list"]) == 2
    assert capsys.readouterr().err == (f"kb list: {project.resolve() / 'pyproject.toml'}: [tool.kb] needs "
                                       'entries = "<folder>" (a path relative to this file)\n')


def test_triage_and_the_plugin_name_a_project_entry_and_its_layer(project, tmp_path, capsys):
    write_entry(project / "docs" / "failures")
    log = tmp_path / "x.log"
    log.write_text(FAILING_LOG, encoding="utf-8")
    assert cli.main(["triage", str(log)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. echo-refused: ") and "  layer:    docs/failures\n" in out


def test_the_plugin_reads_every_layer(project):
    write_entry(project / "docs" / "failures")

    class Report:
        longreprtext = FAILING_LOG
        nodeid = "test_suite.py::test_echo"

    lines = known_issues([Report()])
    assert lines[0].startswith("1. echo-refused: ") and "  layer:    docs/failures" in lines


def test_when_no_project_root_is_configured_then_kb_new_says_how_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("KB_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["new", "Some failure"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kb new: no project knowledge root to write into") and "`kb init`" in err
    assert err.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_kb_new_writes_into_the_nearest_project_root_in_the_project_shape(project, capsys):
    (project / "src").mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(project / "src")
        assert cli.main(["new", "Our outage"]) == 0
    root = project / "docs" / "failures"
    assert (root / "context" / "our-outage.md").is_file()
    notebook = (root / "notebooks" / "our-outage.ipynb").read_text(encoding="utf-8")
    assert "from kb import team as nb" in notebook and "harness" not in notebook
    assert "(layer docs/failures; project shape)" in capsys.readouterr().out


def test_kb_new_never_writes_into_an_installed_package(project, capsys):
    site = project / "venv" / "lib" / "python3.11" / "site-packages" / "kb" / "_knowledge"
    assert cli.main(["new", "Our outage", "--root", str(site)]) == 2
    assert "is inside an installed package" in capsys.readouterr().err
    assert not site.exists()


def test_this_repository_declares_itself_the_shipped_layer_and_kb_new_writes_into_the_checkout(monkeypatch):
    """Contributors keep working: in this checkout `kb new` writes here (pyproject.toml's
    `[tool.kb] entries = "." shipped = true`), and the checkout is read once, as `shipped`."""
    monkeypatch.delenv("KB_ROOT", raising=False)
    monkeypatch.delenv("KB_PATH", raising=False)
    (pyproject, table), *_ = roots.tool_tables(REPO)
    assert pyproject == REPO.resolve() / "pyproject.toml" and table == {"entries": ".", "shipped": True}
    found = roots.layers(cwd=REPO / "notebooks")
    assert [(la.path, la.label, la.writable) for la in found] == [(REPO.resolve(), "shipped", True)]
    assert roots.writable_root(cwd=REPO).path == REPO.resolve()


def test_in_a_second_checkout_kb_new_writes_into_the_checkout_one_stands_in(tmp_path, monkeypatch, capsys):
    """Not into the checkout the `kb` executable was installed from (this one)."""
    monkeypatch.delenv("KB_ROOT", raising=False)
    monkeypatch.delenv("KB_PATH", raising=False)
    other = tmp_path / "second-checkout"
    (other / "harness").mkdir(parents=True)
    shutil.copyfile(REPO / "pyproject.toml", other / "pyproject.toml")
    write_entry(other, "only-there")
    monkeypatch.chdir(other)
    assert [la.path for la in roots.layers()] == [other.resolve()]  # it replaces this checkout
    assert cli.main(["new", "Our outage"]) == 0
    assert (other / "context" / "our-outage.md").is_file()
    assert "from kb import notebook as nb" in (other / "notebooks" / "our-outage.ipynb").read_text()
    assert not (REPO / "context" / "our-outage.md").exists()
    assert "(the shipped knowledge; harness shape)" in capsys.readouterr().out


def test_run_and_site_build_outside_an_installed_package(tmp_path, monkeypatch):
    installed = tmp_path / "lib" / "site-packages" / "kb" / "_knowledge"
    installed.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    layer = roots.Layer(installed, "shipped", False, installed, "shipped", True)
    assert roots.build_folder([layer]) == tmp_path / "build"
    team = roots.Layer(tmp_path / "docs", "docs", True, tmp_path, "$KB_PATH")
    assert roots.build_folder([layer, team]) == tmp_path / "docs" / "build"


def test_lint_checks_the_projects_own_entries_among_every_layers(project, capsys):
    write_entry(project / "docs" / "failures")
    assert cli.main(["lint"]) == 0
    assert capsys.readouterr().err == "1 entry ok\n"
    assert cli.main(["lint", "no-such-entry"]) == 1
    assert capsys.readouterr().out == "docs/failures/context/no-such-entry.md: no such entry [missing]\n"
