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
    problems = lint(tmp_path)
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
    assert [p.code for p in problems] == ["signature-invalid"]
    assert "does not compile" in problems[0].message


def test_when_a_signature_matches_no_quoted_text_then_it_is_reported(tmp_path):
    write_entry(tmp_path, signatures=(r"EchoRefused: connection \d+ refused", "never quoted"))
    problems = lint(tmp_path)
    assert [p.code for p in problems] == ["signature-unquoted"]
    assert "'never quoted'" in problems[0].message


def test_when_the_text_is_quoted_outside_the_symptom_section_then_it_does_not_count(tmp_path):
    body = ("# T\n\n## Symptom\n\nIt fails.\n\n## Root cause\n\n`EchoRefused: connection 7 refused`\n\n"
            "## Reproduce\n\nx\n\n## Fix\n\nx\n\n## Guard\n\nx\n\n## Versions\n\nx\n")
    write_entry(tmp_path, body=body)
    assert codes(tmp_path) == ["signature-unquoted"]


def test_when_the_text_is_quoted_inline_then_it_counts(tmp_path):
    body = ("# T\n\n## Symptom\n\nIt fails with `EchoRefused: connection 7 refused` at once.\n\n"
            "## Root cause\n\nx\n\n## Reproduce\n\nx\n\n## Fix\n\nx\n\n## Guard\n\nx\n\n## Versions\n\nx\n")
    write_entry(tmp_path, body=body)
    assert lint(tmp_path) == []


@pytest.mark.parametrize("signature", ["RuntimeError", r"Error\b", "assert", r"Traceback"])
def test_when_a_signature_matches_unrelated_failures_then_it_is_too_broad(tmp_path, signature):
    write_entry(tmp_path, signatures=(signature,),
                quoted=("RuntimeError: Traceback Error assert",))
    assert codes(tmp_path) == ["signature-broad"]


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
    write_entry(tmp_path, "broken", guard=False)
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
    assert len(lines) == 3
    assert all(line.split(":")[0].endswith((".md", ".ipynb")) and line.endswith("]") for line in lines)


def test_the_fixture_notebook_is_valid_nbformat(tmp_path):
    write_entry(tmp_path)
    nbformat.validate(nbformat.read(tmp_path / "notebooks" / "echo-refused.ipynb", as_version=4))
    assert json.loads((tmp_path / "notebooks" / "echo-refused.ipynb").read_text())["nbformat"] == 4
