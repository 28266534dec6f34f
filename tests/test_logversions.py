"""kb.logversions: the versions a pasted log shows (real captures and reported excerpts), and notes."""

import json

import pytest
from kbfixture import write_entry
from packaging.specifiers import SpecifierSet

from kb import REPO
from kb.lint import lint
from kb.logversions import Note, NoteError, Seen, best_row, read, satisfies


def text(path: str) -> str:
    return (REPO / path).read_text(encoding="utf-8")


def test_pytests_platform_and_plugins_lines_give_their_versions():
    meta = json.loads(text("corpus/mock-misconfiguration/captured/oldest/meta.json"))
    seen = {s.name: (s.version, s.source) for s in read(text("corpus/mock-misconfiguration/captured/oldest/mock.auto.txt"))}
    assert seen["python"] == (meta["python"], "platform")
    assert seen["pytest"] == (meta["versions"]["pytest"], "platform")
    assert seen["pytest-asyncio"] == (meta["versions"]["pytest-asyncio"], "plugins")


def test_a_reported_plugins_line_names_the_pytest_distributions():
    seen = {s.name: s.version for s in read(text("corpus/pytest-asyncio-setup/reported/aioftp-155-strict-mode-async-generator.txt"))}
    assert seen == {"pytest-cov": "3.0.0", "pytest-asyncio": "0.19.0"}


def test_an_interpreter_path_gives_the_python_minor_version_only():
    seen = read(text("corpus/channel-full/reported/channels-redis-73-channel-capacity.txt"))
    assert seen == [Seen("python", "3.6", "path")]
    assert not seen[0].exact


def test_a_version_without_its_patch_number_satisfies_a_specifier_only_at_both_ends():
    minor = Seen("python", "3.6", "path")
    assert satisfies(minor, SpecifierSet("<3.7"))
    assert not satisfies(minor, SpecifierSet("==3.6.1"))
    assert satisfies(Seen("channels", "4.3.0", "plugins"), SpecifierSet("==4.3.0"))
    assert not satisfies(Seen("channels", "4.3.1", "plugins"), SpecifierSet("==4.3.0"))


def test_a_row_is_chosen_only_when_the_versions_read_tell_it_apart():
    rows = [{"set": "a", "versions": {"python": "3.11.7", "pytest": "9.2.0"}, "line": "a"},
            {"set": "b", "versions": {"python": "3.11.7", "pytest": "8.4.2"}, "line": "b"}]
    assert best_row(rows, [Seen("python", "3.11", "path")]) is None  # both agree
    assert best_row(rows, [Seen("python", "3.11.7", "platform"), Seen("pytest", "8.4.2", "platform")])["set"] == "b"
    assert best_row(rows, [Seen("python", "3.12.1", "platform")]) is None


@pytest.mark.parametrize("raw, message", [
    ({"when": "channels 4.3.0", "text": "t", "cite": "https://x.org"}, "must be a name and release comparisons"),
    ({"when": "channels===4.3.0", "text": "t", "cite": "https://x.org"}, "must be a name and release comparisons"),
    ({"when": "channels==4.3.0", "text": "", "cite": "https://x.org"}, "text must be a non-empty string"),
    ({"when": "channels==4.3.0", "text": "t", "cite": "issue 12"}, "cite must be a URL"),
    ({"when": "channels==4.3.0", "text": "t"}, "cite must be a non-empty string"),
    ({"when": [], "text": "t", "cite": "https://x.org"}, "when must be a requirement"),
    ({"when": "channels==4.3.0", "text": "t", "cite": "https://x.org", "fix": "x"}, "must be a mapping with"),
])
def test_a_malformed_note_is_refused_in_one_line(raw, message):
    with pytest.raises(NoteError, match=message):
        Note.parse(raw)


def test_kb_lint_reports_a_malformed_note_and_a_malformed_frame_spec(tmp_path):
    write_entry(tmp_path, front={"notes": [{"when": "channels 4", "text": "t", "cite": "https://x.org"}]})
    write_entry(tmp_path, "frames-bad", signatures=({"name": "f", "frames": ["live.py"]},))
    found = {(p.path.name, p.code): p.message for p in lint(tmp_path)}
    assert "must be a name and release comparisons" in found[("echo-refused.md", "notes-invalid")]
    assert "frame 'live.py' must be 'path/to/module.py:function'" in found[("frames-bad.md", "signature-invalid")]
