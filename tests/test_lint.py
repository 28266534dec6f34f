"""kb lint: one line per problem, on knowledge bases built in temporary folders."""

import json

import nbformat
import pytest
from kbfixture import notebook, write_entry
from nbformat import v4

from kb import cli
from kb.lint import lint


def codes(root) -> list[str]:
    return sorted(p.code for p in lint(root))


def test_when_entry_is_complete_then_lint_passes_with_exit_0(tmp_path, capsys):
    write_entry(tmp_path)
    assert lint(tmp_path) == []
    assert cli.main(["lint", "--root", str(tmp_path)]) == 0
    assert "1 entry ok" in capsys.readouterr().err


def test_a_claims_link_must_name_a_code_cell_of_the_notebook(tmp_path):
    cells = [v4.new_code_cell("observed = ['boom']", id="shows-it"), v4.new_markdown_cell("prose", id="words")]
    path = write_entry(tmp_path, nb=notebook("echo-refused", cells=cells))
    text = path.read_text(encoding="utf-8").replace(
        "Text of Root cause.", "Refused ([shown](../notebooks/echo-refused.ipynb#cell-id=shows-it)).")
    path.write_text(text, encoding="utf-8")
    assert lint(tmp_path) == []
    path.write_text(text.replace("cell-id=shows-it)", "cell-id=gone)") + "\n[x](../notebooks/echo-refused.ipynb#cell-id=words)\n",
                    encoding="utf-8")
    assert [(p.message, p.code) for p in lint(tmp_path)] == [
        ("link to notebooks/echo-refused.ipynb cell 'gone': no such cell", "cell-link"),
        ("link to notebooks/echo-refused.ipynb cell 'words': not a code cell", "cell-link")]


SNIPPET = "Copy this:\n\n  ```python snippet=double-it\n  def double(x):\n      return 2 * x\n  ```\n"


def test_a_snippet_to_copy_runs_on_its_own_and_must_be_loaded_by_a_test(tmp_path):
    from kb.snippets import SnippetError, load

    path = write_entry(tmp_path)
    path.write_text(path.read_text(encoding="utf-8").replace("Text of Fix.", SNIPPET), encoding="utf-8")
    assert load("echo-refused", "double-it", root=tmp_path).double(21) == 42
    with pytest.raises(SnippetError, match=r"^echo-refused.md has no ```python snippet=triple block \(it has: double-it\)$"):
        load("echo-refused", "triple", root=tmp_path)
    assert [(p.message, p.code) for p in lint(tmp_path)] == [
        ("snippet 'double-it' is loaded by no test: add one that runs kb.snippets.load('echo-refused', "
         "'double-it')", "snippet")]
    (tmp_path / "tests" / "test_copy.py").write_text('load("echo-refused", "double-it")\n', encoding="utf-8")
    assert lint(tmp_path) == []
    path.write_text(path.read_text(encoding="utf-8").replace("return 2 * x", "return 2 *"), encoding="utf-8")
    assert [p.code for p in lint(tmp_path)] == ["snippet"]


def test_when_a_writeup_has_no_notebook_then_it_is_reported(tmp_path, capsys):
    write_entry(tmp_path, nb=False)
    assert cli.main(["lint", "--root", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == ["context/echo-refused.md: write-up without notebook notebooks/echo-refused.ipynb "
                   "[missing-notebook]"]


def test_when_a_notebook_has_no_writeup_then_it_is_reported(tmp_path):
    write_entry(tmp_path)
    nbformat.write(notebook("orphan"), tmp_path / "notebooks" / "orphan.ipynb")
    problems = lint(tmp_path)
    assert [(p.path.name, p.code) for p in problems] == [("orphan.ipynb", "missing-writeup")]


def test_when_the_guard_test_is_missing_then_it_is_reported(tmp_path):
    write_entry(tmp_path, guard=False)
    assert codes(tmp_path) == ["missing-guard"]


@pytest.mark.parametrize("front, expected", [
    ({"title": ...}, "front matter lacks title"),
    ({"symptoms": "one string"}, "symptoms must be a list, not str"),
    ({"signatures": []}, "signatures is empty"),
    ({"tags": ["ok", 3]}, "every item of tags must be a non-empty string"),
    ({"id": "other-id"}, "id 'other-id' differs from the file name 'echo-refused'"),
    ({"notebook": "notebooks/other.ipynb"}, "notebook must be 'notebooks/echo-refused.ipynb'"),
    ({"versions": "4.3.2"}, "versions must be a dict, not str"),
])
def test_when_front_matter_is_invalid_then_it_says_which_key(tmp_path, front, expected):
    write_entry(tmp_path, front=front)
    problems = [p for p in lint(tmp_path) if not p.code.startswith("corpus")]
    assert [p.code for p in problems] == ["front-matter"]
    assert expected in problems[0].message


def test_when_front_matter_is_not_yaml_then_one_line_names_the_file(tmp_path, capsys):
    path = write_entry(tmp_path)
    path.write_text("---\nid: [unclosed\n---\n# x\n", encoding="utf-8")
    assert cli.main(["lint", "--root", str(tmp_path)]) == 1
    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("context/echo-refused.md: front matter is not valid YAML")


def test_when_a_section_is_missing_or_out_of_order_then_it_is_reported(tmp_path):
    write_entry(tmp_path, sections=("Symptom", "Reproduce", "Root cause", "Fix", "Versions"))
    messages = [p.message for p in lint(tmp_path)]
    assert "section '## Guard' is missing" in messages
    assert any(m.startswith("sections out of order") for m in messages)


def test_when_a_signature_does_not_compile_then_it_is_reported(tmp_path):
    write_entry(tmp_path, signatures=("EchoRefused: (unclosed",))
    problems = lint(tmp_path)
    assert [p.code for p in problems] == ["signature-invalid", "corpus-mismatch"]
    assert "does not compile" in problems[0].message
    assert problems[1].message == "triages to no entry, not echo-refused"


@pytest.mark.parametrize("pattern, why", [
    (r"(?P<n>\d+) refused", "named groups"), (r"(?s)refused", "inline flags"),
    (r"refused\Z", r"\A or \Z"), (r"(?>x)", "atomic groups")])
def test_when_a_signature_would_not_run_in_the_browser_then_it_is_invalid(tmp_path, pattern, why):
    write_entry(tmp_path, signatures=(pattern,))
    problems = [p for p in lint(tmp_path) if p.code == "signature-invalid"]
    assert len(problems) == 1 and why in problems[0].message


def test_when_a_signature_is_not_a_mapping_then_it_is_invalid(tmp_path):
    write_entry(tmp_path, signatures=({"name": "x", "strength": "strong", "all": ["EchoRefused"]},
                                      {"name": "Bad Name", "strength": "strong", "all": ["x"]},
                                      {"name": "y", "strength": "medium", "all": ["x"]},
                                      {"name": "z", "strength": "weak", "all": []}))
    messages = [p.message for p in lint(tmp_path) if p.code == "signature-invalid"]
    assert messages == ["signature 'Bad Name': name must be a slug (a-z, 0-9, -)",
                        "signature 'y': strength must be 'strong' or 'weak'",
                        "signature 'z': all (or frames) must list at least one pattern"]


def test_when_a_signature_matches_nothing_in_the_corpus_then_it_is_unused(tmp_path):
    write_entry(tmp_path, signatures=(r"EchoRefused: connection \d+ refused", "never captured"))
    problems = lint(tmp_path)
    assert [p.code for p in problems] == ["signature-unused"]
    assert "'sig-2'" in problems[0].message


def test_when_a_corpus_text_triages_elsewhere_first_then_it_is_reported(tmp_path):
    write_entry(tmp_path, signatures=({"name": "weak-one", "strength": "weak", "all": ["EchoRefused"]},))
    write_entry(tmp_path, "echo-strong", signatures=(r"EchoRefused: connection \d+ refused",))
    problems = [p for p in lint(tmp_path) if p.code == "corpus-mismatch"]
    assert [p.message for p in problems] == [
        "triages to echo-strong, not echo-refused (echo-refused ranks lower)"]


def test_when_an_entry_has_no_captured_corpus_then_it_is_reported(tmp_path):
    write_entry(tmp_path)
    import shutil

    shutil.rmtree(tmp_path / "corpus" / "echo-refused")
    assert codes(tmp_path) == ["corpus-missing"]


def test_when_a_negative_text_triages_to_an_entry_then_it_is_reported(tmp_path):
    write_entry(tmp_path)
    (tmp_path / "corpus" / "_negative" / "reported").mkdir(parents=True)
    (tmp_path / "corpus" / "_negative" / "reported" / "x.txt").write_text(
        "# source: https://example.org/1\nEchoRefused: connection 3 refused\n", encoding="utf-8")
    problems = lint(tmp_path)
    assert [(p.code, p.message) for p in problems] == [
        ("corpus-negative", "a failure of no entry triages to echo-refused")]


def test_when_a_scenario_lacks_a_pytest_form_then_it_is_reported(tmp_path):
    write_entry(tmp_path)
    (tmp_path / "corpus" / "echo-refused" / "scenarios").mkdir()
    (tmp_path / "corpus" / "echo-refused" / "scenarios" / "test_refused.py").write_text("", encoding="utf-8")
    problems = lint(tmp_path)
    assert [p.code for p in problems] == ["corpus-forms"]
    assert problems[0].message.startswith("no pins capture in form(s) auto, long, short, line, native")


@pytest.mark.parametrize("signature", ["RuntimeError", r"Error\b", "assert", r"Traceback"])
def test_when_a_signature_matches_unrelated_failures_then_it_is_too_broad(tmp_path, signature):
    write_entry(tmp_path, signatures=(signature,),
                quoted=("RuntimeError: Traceback Error assert",))
    assert "signature-broad" in codes(tmp_path)


def test_when_a_notebook_has_outputs_then_it_is_reported(tmp_path):
    nb = notebook("echo-refused")
    nb.cells[2].outputs = [v4.new_output("stream", name="stdout", text="hi\n")]
    nb.cells[2].execution_count = 3
    write_entry(tmp_path, nb=nb)
    messages = sorted(p.message for p in lint(tmp_path))
    assert messages == ["committed with execution counts (cells 3): clear them",
                        "committed with outputs (cells 3): clear them"]


@pytest.mark.parametrize("kwargs, code", [
    ({"parameters": False}, "notebook-parameters"),
    ({"timeout": None}, "notebook-timeout"),
    ({"timeout": 0}, "notebook-timeout"),
    ({"kernel": "python2"}, "notebook-kernel"),
    ({"claims": False}, "notebook-claims"),
])
def test_when_a_notebook_lacks_part_of_the_skeleton_then_it_is_reported(tmp_path, kwargs, code):
    write_entry(tmp_path, nb=notebook("echo-refused", **kwargs))
    assert codes(tmp_path) == [code]


def test_when_the_parameters_cell_lacks_channel_layer_then_it_is_reported(tmp_path):
    nb = notebook("echo-refused")
    nb.cells[2].source = "timeout_s = 5.0"
    write_entry(tmp_path, nb=nb)
    problems = lint(tmp_path)
    assert [p.message for p in problems] == ["the parameters cell does not set channel_layer"]


def test_when_a_notebook_is_not_json_then_one_problem_is_reported(tmp_path):
    write_entry(tmp_path)
    (tmp_path / "notebooks" / "echo-refused.ipynb").write_text("{not json", encoding="utf-8")
    assert codes(tmp_path) == ["notebook"]


def test_when_ids_are_given_then_only_those_are_checked(tmp_path, capsys):
    write_entry(tmp_path)
    write_entry(tmp_path, "broken", guard=False, signatures=("Broken: x",), quoted=("Broken: x",))
    assert cli.main(["lint", "--root", str(tmp_path), "echo-refused"]) == 0
    assert cli.main(["lint", "--root", str(tmp_path), "no-such-entry"]) == 1
    assert "no-such-entry.md: no such entry [missing]" in capsys.readouterr().out


def test_when_root_is_not_a_knowledge_base_then_exit_2(tmp_path, capsys):
    assert cli.main(["lint", "--root", str(tmp_path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_when_there_are_problems_then_every_line_names_a_file_and_a_code(tmp_path, capsys):
    write_entry(tmp_path, signatures=("nope",), nb=notebook("echo-refused", timeout=None), guard=False)
    assert cli.main(["lint", "--root", str(tmp_path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4  # no guard, corpus text unmatched, signature unused, no timeout
    assert all(line.split(":")[0].endswith((".md", ".ipynb", ".txt")) and line.endswith("]") for line in lines)


def test_the_fixture_notebook_is_valid_nbformat(tmp_path):
    write_entry(tmp_path)
    nbformat.validate(nbformat.read(tmp_path / "notebooks" / "echo-refused.ipynb", as_version=4))
    assert json.loads((tmp_path / "notebooks" / "echo-refused.ipynb").read_text())["nbformat"] == 4


def test_a_writeup_links_at_least_three_claims_to_its_notebook(tmp_path):
    path = write_entry(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[shown](../notebooks/echo-refused.ipynb#cell-id=claims)", "", 2), encoding="utf-8")
    assert [(p.message, p.code) for p in lint(tmp_path)] == [
        ("1 claim link(s) into notebooks/echo-refused.ipynb, want 3+: link the symptom, root cause and fix "
         "to the cells that show them (CONTRIBUTING.md)", "cell-link")]


def test_when_a_capture_is_listed_as_without_evidence_then_it_may_match_nothing_but_the_list_must_stay_true(tmp_path):
    from kb.lint_corpus import no_evidence, summary_only

    folder = tmp_path / "corpus" / "some-entry"
    capture = folder / "captured" / "lts" / "x.line.txt"
    capture.parent.mkdir(parents=True)
    capture.write_text("HTTP 500\n", encoding="utf-8")
    assert not summary_only(capture)
    (folder / "no-evidence.txt").write_text("# comment\nlts/x.line.txt: only the client's line\n", encoding="utf-8")
    assert no_evidence(folder) == {"lts/x.line.txt": "only the client's line"}
    assert summary_only(capture)
    assert summary_only(folder / "captured" / "pins" / "x.no.txt")
    assert not summary_only(folder / "captured" / "pins" / "x.line.txt")


def test_when_a_listed_capture_names_the_entry_it_triages_to_then_only_that_entry_is_accepted(tmp_path):
    write_entry(tmp_path)  # echo-refused claims "EchoRefused: connection N refused"
    write_entry(tmp_path, "other", signatures=(r"Other: \d+",), quoted=("Other: 1",))
    capture = tmp_path / "corpus" / "other" / "captured" / "lts" / "x.line.txt"
    capture.parent.mkdir(parents=True)
    capture.write_text("EchoRefused: connection 7 refused\n", encoding="utf-8")
    assert codes(tmp_path) == ["corpus-mismatch"]
    listing = tmp_path / "corpus" / "other" / "no-evidence.txt"
    listing.write_text("lts/x.line.txt: --tb=line keeps one line; triages to some-third-entry\n", encoding="utf-8")
    assert codes(tmp_path) == ["corpus-mismatch"]  # the reason names another entry than the one it goes to
    listing.write_text("lts/x.line.txt: --tb=line keeps one line; triages to echo-refused-twice\n", encoding="utf-8")
    assert codes(tmp_path) == ["corpus-mismatch"]  # a longer id that merely starts with the one it goes to
    listing.write_text("lts/x.line.txt: --tb=line keeps one line; triages to echo-refused\n", encoding="utf-8")
    assert codes(tmp_path) == []
    # the listing never hides evidence: once the capture also shows this entry's own cause, lint
    # asks for the line to be removed, whatever entry it names
    capture.write_text("EchoRefused: connection 7 refused\nOther: 1\n", encoding="utf-8")
    assert "corpus-no-evidence" in codes(tmp_path)


def test_when_a_listed_capture_fits_two_entries_equally_then_it_is_accepted_as_ambiguous_with_the_other(tmp_path):
    write_entry(tmp_path)  # echo-refused claims "EchoRefused: connection N refused"
    write_entry(tmp_path, "other", signatures=(r"Other: \d+",), quoted=("Other: 1",))
    capture = tmp_path / "corpus" / "other" / "captured" / "lts" / "x.line.txt"
    capture.parent.mkdir(parents=True)
    capture.write_text("EchoRefused: connection 7 refused\nOther: 1\n", encoding="utf-8")  # both strong, one line
    assert codes(tmp_path) == ["corpus-mismatch"]  # "ambiguous: echo-refused or other", unlisted
    listing = tmp_path / "corpus" / "other" / "no-evidence.txt"
    listing.write_text("lts/x.line.txt: one line fits both; ambiguous with echo-refused-twice\n", encoding="utf-8")
    assert "corpus-mismatch" in codes(tmp_path)
    listing.write_text("lts/x.line.txt: one line fits both; ambiguous with echo-refused\n", encoding="utf-8")
    assert codes(tmp_path) == []
    # once it shows this entry's cause alone, the listing must go
    capture.write_text("Other: 1\n", encoding="utf-8")
    assert codes(tmp_path) == ["corpus-no-evidence"]


def test_when_a_note_names_a_signature_the_entry_lacks_then_notes_invalid(tmp_path):
    write_entry(tmp_path, front={"notes": [{"when": "python>=3", "signatures": ["sig-9"], "text": "t",
                                            "cite": "https://x.org/1"}]})
    assert codes(tmp_path) == ["notes-invalid"]


@pytest.mark.parametrize("line", ["seeds: [why?]", "seeds:\t[]"])
def test_front_matter_only_libyaml_reads_is_a_lint_error(tmp_path, line):
    """kb reads front matter with libyaml where it can; libyaml also takes a `?` in a flow scalar
    and a tab as a separator, which PyYAML's SafeLoader (a PyYAML without libyaml) refuses. kb
    lint reads each write-up with SafeLoader too, so such a write-up fails here, not elsewhere."""
    import yaml

    path = write_entry(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[13] == "seeds: []"  # the line replaced, the file's line 14
    path.write_text(text.replace("seeds: []", line), encoding="utf-8")
    front = path.read_text(encoding="utf-8").split("---\n")[1]
    if getattr(yaml, "__with_libyaml__", False):
        yaml.load(front, Loader=yaml.CSafeLoader)  # libyaml reads it
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(front)
    problems = [(p.code, p.message) for p in lint(tmp_path)]
    assert [code for code, _ in problems] == ["front-matter"], problems
    assert problems[0][1].startswith("front matter is not valid YAML at line 14 ("), problems
