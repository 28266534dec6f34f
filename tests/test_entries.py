"""Entries: front matter, sections, the failure texts a Symptom section quotes."""

import pytest
from kbfixture import write_entry

from kb.entries import EntryError, load, load_all, parse, quoted_code, scan


def test_an_entry_knows_its_sections_patterns_and_notebook(tmp_path):
    entry = parse(write_entry(tmp_path))
    assert entry.section("Fix") == "Text of Fix.\n\n[shown](../notebooks/echo-refused.ipynb#cell-id=claims)"
    assert entry.section("Nope") == ""
    assert entry.signatures == [{"name": "sig-1", "strength": "strong",
                                 "all": [r"EchoRefused: connection \d+ refused"]}]
    assert entry.notebook_path == tmp_path / "notebooks" / "echo-refused.ipynb"
    assert entry.root == tmp_path


def test_failure_texts_are_the_code_blocks_and_spans_of_the_symptom_section_only(tmp_path):
    body = ("# T\n\n## Symptom\n\nIt says `KeyError: 'ABC123'` and ``a `tick` inside``:\n\n"
            "```python\nTraceback (most recent call last):\nRuntimeError: boom\n```\n\n"
            "## Root cause\n\n`not a symptom`\n")
    entry = parse(write_entry(tmp_path, body=body))
    assert entry.failure_texts() == ["Traceback (most recent call last):\nRuntimeError: boom",
                                     "KeyError: 'ABC123'", "a `tick` inside"]


def test_quoted_code_ignores_empty_spans_and_keeps_indentation_inside_blocks():
    assert quoted_code("``` \n  x = 1\n```\nand `` ``") == ["  x = 1"]


def test_load_and_load_all(tmp_path):
    write_entry(tmp_path)
    (tmp_path / "context" / "README.md").write_text("not an entry", encoding="utf-8")
    assert [e.id for e in load_all(tmp_path)] == ["echo-refused"]
    assert load("echo-refused", tmp_path).title == "The echo consumer refuses every connection"
    with pytest.raises(EntryError, match="no entry 'nope'"):
        load("nope", tmp_path)


@pytest.mark.parametrize("text, message", [
    ("no front matter", "no YAML front matter"),
    ("---\n[1, 2\n---\n", "front matter is not valid YAML at line 2"),
    ("---\n- a list\n---\n", "front matter must be a mapping"),
    ("---\nid: x\ntitle: y\n---\n", "front matter lacks symptoms, signatures"),
])
def test_unreadable_writeups_raise_one_line_naming_the_file(tmp_path, text, message):
    path = tmp_path / "context" / "bad.md"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EntryError) as caught:
        parse(path)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_scan_returns_readable_entries_and_the_errors_of_the_others(tmp_path):
    write_entry(tmp_path)
    (tmp_path / "context" / "bad.md").write_bytes(b"\xff\xfe")
    entries, errors = scan(tmp_path)
    assert [e.id for e in entries] == ["echo-refused"]
    assert [str(e) for e in errors] == [f"{tmp_path / 'context' / 'bad.md'}: cannot read (UnicodeDecodeError)"]


def test_the_fast_loader_reads_every_shipped_front_matter_and_the_sets_as_safeload_does():
    """kb.entries.safe_load uses libyaml where PyYAML has it (about 10x faster); what it returns
    must be what yaml.safe_load returns, for every document kb reads here."""
    import yaml

    from kb import REPO
    from kb.entries import FRONT_MATTER, safe_load, writeup_paths

    texts = [FRONT_MATTER.match(p.read_text(encoding="utf-8")).group(1) for p in writeup_paths(REPO)]
    texts.append((REPO / "versions" / "sets.yaml").read_text(encoding="utf-8"))
    assert len(texts) >= 27
    assert [safe_load(t) for t in texts] == [yaml.safe_load(t) for t in texts]
