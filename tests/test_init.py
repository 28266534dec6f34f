"""kb init: the [tool.kb] table appended to pyproject.toml (nothing there lost) and the folder."""

from kb import cli, roots

EXISTING = """\
# our project
[project]
name = "chat"   # keep this comment

[tool.ruff]
line-length = 99"""  # no newline at the end


def test_when_pyproject_exists_then_the_table_is_appended_and_every_byte_kept(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text(EXISTING, encoding="utf-8")
    assert cli.main(["init", "--project", str(tmp_path)]) == 0
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert text == (EXISTING + '\n\n[tool.kb]\n# this project\'s own failure entries (kb new writes here)\n'
                               'entries = "docs/failures"\n')
    assert all((tmp_path / "docs" / "failures" / name).is_dir() for name in ("context", "notebooks", "corpus",
                                                                            "tests/guards"))
    assert [la.label for la in roots.layers(cwd=tmp_path)][-1] == "docs/failures"
    assert "added [tool.kb] entries = 'docs/failures'" in capsys.readouterr().out


def test_when_there_is_no_pyproject_then_one_is_created(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "--entries", "kb"]) == 0
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8").endswith('entries = "kb"\n')
    assert (tmp_path / "kb" / "context").is_dir()


def test_when_run_again_then_nothing_changes(tmp_path, capsys):
    assert cli.main(["init", "--project", str(tmp_path)]) == 0
    before = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    assert cli.main(["init", "--project", str(tmp_path)]) == 0
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == before
    assert "[tool.kb] entries = 'docs/failures' already" in capsys.readouterr().out


def test_when_another_folder_is_configured_then_exit_2_and_nothing_changes(tmp_path, capsys):
    text = '[tool.kb]\nentries = "elsewhere"\n'
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    assert cli.main(["init", "--project", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"kb init: {tmp_path / 'pyproject.toml'} has a [tool.kb] table already")
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == text
    assert not (tmp_path / "docs").exists()


def test_when_pyproject_is_not_toml_then_exit_2_and_nothing_changes(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text("[project\n", encoding="utf-8")
    assert cli.main(["init", "--project", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kb init: ") and err.count("\n") == 1
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == "[project\n"


def test_when_tool_defines_kb_inline_then_appending_is_refused_and_the_file_restored(tmp_path, capsys):
    text = '[tool]\nkb = "not a table"\n'
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    assert cli.main(["init", "--project", str(tmp_path)]) == 2
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == text


def test_when_the_project_is_an_installed_package_then_exit_2(tmp_path, capsys):
    site = tmp_path / "site-packages" / "kb" / "_knowledge"
    site.mkdir(parents=True)
    assert cli.main(["init", "--project", str(site)]) == 2
    assert "inside an installed package" in capsys.readouterr().err
    assert not (site / "pyproject.toml").exists()
