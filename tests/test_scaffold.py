"""kb new: an entry's three files from templates, never overwriting, unfinished until written."""

import nbformat
import pytest

from kb import cli
from kb.lint import lint
from kb.scaffold import create, slugify

TITLE = "Two event loops receive() on one channel layer"
ID = "two-event-loops-receive-on-one-channel-layer"


def new(root, *args) -> int:
    return cli.main(["new", *args, "--root", str(root)])


def test_when_a_title_is_given_then_writeup_notebook_and_guard_are_created(tmp_path, capsys):
    assert new(tmp_path, TITLE) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [f"created context/{ID}.md", f"created notebooks/{ID}.ipynb",
                       f"created tests/guards/test_{ID.replace('-', '_')}.py"]


def test_the_new_writeup_has_front_matter_and_the_six_sections(tmp_path):
    from kb.entries import SECTIONS, parse

    (writeup, _, _) = create(tmp_path, TITLE)
    entry = parse(writeup)
    assert (entry.id, entry.title, entry.notebook) == (ID, TITLE, f"notebooks/{ID}.ipynb")
    assert entry.versions["channels"] and entry.versions["python"]
    assert all(entry.section(name) for name in SECTIONS)


def test_the_new_notebook_has_the_skeleton_and_no_outputs(tmp_path):
    (_, path, _) = create(tmp_path, TITLE)
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.execution.timeout > 0 and nb.metadata.kernelspec.name == "python3"
    (parameters,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert 'channel_layer = "memory"' in parameters.source and "timeout_s = 5.0" in parameters.source
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"]
    assert headings[0].startswith(f"# {ID}: ")
    assert headings[1:] == ["## Reproduce", "## Root cause", "## Fix", "## Guard", "## Lessons"]
    assert nb.cells[-1].source == f'nb.check_claims("{ID}", observed=observed, quoted=[])'


def test_when_just_created_then_lint_reports_only_the_placeholders_one_line_per_file(tmp_path):
    create(tmp_path, TITLE)
    problems = [p for p in lint(tmp_path) if p.code != "corpus-missing"]
    assert {p.code for p in problems} == {"placeholder"}
    assert sorted(p.path.name for p in problems) == sorted(
        [f"{ID}.md", f"{ID}.ipynb", f"test_{ID.replace('-', '_')}.py"])


def test_when_every_placeholder_is_written_then_lint_passes(tmp_path):
    """The templates are structurally sound: only the placeholders, and the corpus that only a
    real run of `kb corpus` can capture, stand between them and lint."""
    paths = create(tmp_path, TITLE)
    for path in paths:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(r"TODO\(kb new\)", "Written").replace("TODO(kb new)", "Written"),
                        encoding="utf-8")
    assert [(p.code, p.message) for p in lint(tmp_path)] == [
        ("corpus-missing", f"no captured corpus: write corpus/{ID}/scenarios/ and run `kb corpus {ID}`")]


def test_when_the_entry_exists_then_nothing_is_overwritten_and_exit_2(tmp_path, capsys):
    paths = create(tmp_path, TITLE)
    paths[0].write_text("my work", encoding="utf-8")
    capsys.readouterr()
    assert new(tmp_path, TITLE) == 2
    assert capsys.readouterr().err == (f"kb new: entry '{ID}' exists already (context/{ID}.md); "
                                       "nothing written\n")
    assert paths[0].read_text(encoding="utf-8") == "my work"


def test_when_only_the_notebook_exists_then_nothing_is_written(tmp_path, capsys):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "taken.ipynb").write_text("{}", encoding="utf-8")
    assert new(tmp_path, "Anything", "--id", "taken") == 2
    assert not (tmp_path / "context" / "taken.md").exists()
    assert "exists already (notebooks/taken.ipynb)" in capsys.readouterr().err


@pytest.mark.parametrize("args, reason", [
    (["Title", "--id", "Not A Slug"], "id 'Not A Slug' is not a slug"),
    (["Title", "--id", "double--dash"], "is not a slug"),
    (["   "], "the title is empty"),
    (["!!!"], "cannot make an id from this title: give --id"),
])
def test_when_id_or_title_is_bad_then_exit_2_with_one_line(tmp_path, capsys, args, reason):
    assert new(tmp_path, *args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err
    assert not (tmp_path / "context").exists()


def test_slugs_are_ascii_lowercase_and_bounded():
    assert slugify("Réception: Mock() can't be awaited!") == "reception-mock-can-t-be-awaited"
    long = slugify("word " * 40)
    assert len(long) <= 60 and not long.endswith("-")


def test_when_a_title_has_quotes_then_the_front_matter_still_parses(tmp_path):
    from kb.entries import parse

    title = 'A "quoted" title: with colon # and hash'
    (writeup, _, _) = create(tmp_path, title, "quoted")
    assert parse(writeup).title == title
    assert nbformat.read(tmp_path / "notebooks" / "quoted.ipynb", as_version=4)


def test_the_new_guard_test_fails_until_it_is_written(tmp_path):
    import subprocess
    import sys

    (_, _, guard) = create(tmp_path, TITLE)
    proc = subprocess.run([sys.executable, "-m", "pytest", str(guard), "-q", "-p", "no:cacheprovider",
                           "-p", "no:kb_known_issues", "--rootdir", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Failed: TODO(kb new): assert the fixed behaviour of " + ID in proc.stdout
