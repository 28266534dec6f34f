"""kb list: a table of entries (id, title, symptoms); none is an error; unreadable ones skipped."""

from kbfixture import write_entry

from kb import cli


def test_when_there_are_entries_then_each_row_has_id_title_and_symptoms(tmp_path, capsys):
    write_entry(tmp_path, symptoms=("first symptom", "second symptom"))
    write_entry(tmp_path, "another-one", title="Another title")
    assert cli.main(["list", "--root", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "TITLE", "SYMPTOMS"]
    assert lines[1].startswith("another-one   Another title ")
    row = lines.index(next(line for line in lines if line.startswith("echo-refused")))
    assert "  The echo consumer refuses every connection  - first symptom" in lines[row]
    assert lines[row + 1].strip() == "- second symptom"
    assert lines[-1] == "2 entries"


def test_when_there_are_no_entries_then_one_line_on_stderr_and_exit_1(tmp_path, capsys):
    (tmp_path / "context").mkdir()
    assert cli.main(["list", "--root", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"kb list: no entries: {tmp_path / 'context'} holds no readable write-up "
                   "(<id>.md); give --root or set KB_ROOT\n")


def test_when_every_writeup_is_unreadable_then_exit_1(tmp_path, capsys):
    (tmp_path / "context").mkdir()
    (tmp_path / "context" / "broken.md").write_text("no front matter\n", encoding="utf-8")
    assert cli.main(["list", "--root", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.splitlines()[-1].startswith("kb list: no entries: ")


def test_when_a_writeup_is_unreadable_then_it_is_named_on_stderr_and_skipped(tmp_path, capsys):
    write_entry(tmp_path)
    (tmp_path / "context" / "broken.md").write_text("---\nid: x\n---\n", encoding="utf-8")
    assert cli.main(["list", "--root", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "echo-refused" in out and "broken" not in out
    assert err == f"kb list: skipped {tmp_path / 'context' / 'broken.md'}: front matter lacks title, " \
                  "symptoms, signatures, notebook, versions, seeds, tags\n"


def test_when_the_root_does_not_exist_then_exit_2(tmp_path, capsys):
    assert cli.main(["list", "--root", str(tmp_path / "nowhere")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
