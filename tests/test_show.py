"""kb show: an entry's write-up as plain text, then its files and the commands that run it."""

from kbfixture import write_entry

from kb import cli
from kb.show import plain


def test_when_the_id_exists_then_summary_body_and_run_commands_are_printed(tmp_path, capsys):
    write_entry(tmp_path, symptoms=("first symptom", "second symptom"))
    assert cli.main(["show", "echo-refused", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "echo-refused: The echo consumer refuses every connection"
    assert lines[2:7] == ["Symptoms:", "  - first symptom", "  - second symptom", "Signatures:",
                          "  - sig-1 (strong)"]
    assert "Symptom\n-------\n\nThe test fails with:\n\n    EchoRefused: connection 7 refused\n" in out
    assert "```" not in out and "## " not in out
    assert out.count("The echo consumer refuses every connection") == 1  # body title dropped
    notebook = tmp_path / "notebooks" / "echo-refused.ipynb"
    assert f"  notebook:  {notebook}\n" in out
    assert f"  guard:     {tmp_path / 'tests' / 'guards' / 'test_echo_refused.py'}\n" in out
    assert f"  pytest --nbmake {notebook}\n" in out
    assert "  kb run echo-refused " in out


def test_each_signature_is_shown_by_name_and_strength(tmp_path, capsys):
    signatures = ({"name": "refused-echo", "strength": "strong", "all": [r"EchoRefused: connection \d+"]},
                  {"name": "any-refusal", "strength": "weak", "all": ["refused"]})
    write_entry(tmp_path, signatures=signatures)
    assert cli.main(["show", "echo-refused", "--root", str(tmp_path)]) == 0
    assert "Signatures:\n  - refused-echo (strong)\n  - any-refusal (weak)\n" in capsys.readouterr().out


def test_when_the_id_is_unknown_then_one_line_with_the_closest_ids_and_exit_2(tmp_path, capsys):
    write_entry(tmp_path)
    write_entry(tmp_path, "echo-timeout", title="The echo consumer times out")
    write_entry(tmp_path, "rate-limit", title="Rate limited")
    assert cli.main(["show", "echo-refuse", "--root", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "kb show: no entry 'echo-refuse'; did you mean echo-refused, echo-timeout?\n"


def test_when_nothing_is_close_then_it_points_at_kb_list(tmp_path, capsys):
    write_entry(tmp_path)
    assert cli.main(["show", "zzz", "--root", str(tmp_path)]) == 2
    assert capsys.readouterr().err == "kb show: no entry 'zzz'; `kb list` lists the entries\n"


def test_when_the_knowledge_base_is_empty_then_exit_2_with_the_folder_named(tmp_path, capsys):
    assert cli.main(["show", "anything", "--root", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(tmp_path / "nowhere" / "context") in err


def test_plain_spells_links_out_and_keeps_code_spans():
    text = "# Title\n\nSee [the issue](https://example.org/1) and `code`.\n"
    assert plain(text) == "Title\n=====\n\nSee the issue (https://example.org/1) and `code`."
