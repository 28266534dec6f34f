"""kb readme: the README's command reference is generated from --help and cannot drift."""

from kb import REPO, cli
from kb.readme import END, START, reference, replace_block


def test_the_readme_block_is_what_kb_readme_generates():
    """Fails when a verb's --help changed and `kb readme` was not run (`python -m kb readme`)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert replace_block(text, reference()) == text, "README.md is stale: run `python -m kb readme`"


def test_every_available_verb_is_documented_in_the_readme():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text[text.index(START):text.index(END)]
    unavailable: dict[str, str] = {}
    cli.build_parser(unavailable)
    for verb in cli.VERBS:
        if verb not in unavailable:
            assert f"### `kb {verb}`" in block and f"usage: kb {verb} " in block


def test_when_the_block_is_stale_then_check_exits_1_and_writing_fixes_it(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nkept\n\n{START}\nold text\n{END}\n\nalso kept\n", encoding="utf-8")
    assert cli.main(["readme", "--check", "--readme", str(readme)]) == 1
    assert "old text" in readme.read_text()
    assert cli.main(["readme", "--readme", str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith("# Title\n\nkept\n\n") and text.endswith(f"{END}\n\nalso kept\n")
    assert "old text" not in text and "usage: kb [-h] VERB ..." in text
    assert cli.main(["readme", "--check", "--readme", str(readme)]) == 0


def test_when_the_readme_has_no_markers_then_exit_2(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("# no markers\n", encoding="utf-8")
    assert cli.main(["readme", "--readme", str(readme)]) == 2
    assert capsys.readouterr().err == f"kb readme: no {START} ... {END} block to rewrite\n"
    assert readme.read_text() == "# no markers\n"


def test_the_help_layout_does_not_depend_on_the_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    narrow = reference()
    monkeypatch.setenv("COLUMNS", "200")
    assert reference() == narrow
