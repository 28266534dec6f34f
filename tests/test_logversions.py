"""kb.logversions: the versions a pasted log shows (real captures and reported excerpts), and notes."""

import json

import pytest
from kbfixture import write_entry
from packaging.specifiers import SpecifierSet

from kb import REPO
from kb.lint import lint
from kb.logversions import Note, NoteError, Seen, best_row, read, satisfies, table_rows


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
    rows = [{"set": "a", "versions": {"python": "3.11.7", "pytest": "9.2.0", "django": "5.2.19"}, "line": "a"},
            {"set": "b", "versions": {"python": "3.11.7", "pytest": "8.4.2", "django": "4.2.30"}, "line": "b"}]
    django = Seen("django", "4.2.30", "header")
    assert best_row(rows, [Seen("python", "3.11", "path"), Seen("django", "5.2", "tox")])["set"] == "a"
    assert best_row(rows, [Seen("python", "3.11.7", "platform"), Seen("pytest", "8.4.2", "platform"), django]) == {
        **rows[1], "agreed": ["python 3.11.7", "pytest 8.4.2", "django 4.2.30"]}
    assert best_row(rows, [Seen("python", "3.12.1", "platform"), django]) is None
    assert best_row(rows, [Seen("django", "4.2", "tox"), Seen("django", "5.2", "tox")]) is None  # both agree


#: the table of live-server-testcase as it stood when these were written (its measured rows)
LIVE_TABLE = """| version set | Python | Django | channels | daphne | pytest | pytest-asyncio |
| --- | --- | --- | --- | --- | --- | --- |
| pins | 3.11.7 | 5.2.19 | 4.3.2 | 4.2.3 | 9.2.0 | 1.5.0 |
| pins-py312 | 3.12.1 | 5.2.19 | 4.3.2 | 4.2.3 | 9.2.0 | 1.5.0 |
| pins-py313 | 3.13.0 | 5.2.19 | 4.3.2 | 4.2.3 | 9.2.0 | 1.5.0 |
| lts | 3.11.7 | 4.2.30 | 4.1.0 | 4.1.2 | 8.4.2 | 0.23.8 |
"""


@pytest.mark.parametrize("log, expected", [
    # Python and pytest alone pick no row: they say where a test ran, not what it ran
    ('  File "/x/lib/python3.12/site-packages/channels/testing/live.py", line 76, in setUpClass\n', None),
    ("platform linux -- Python 3.11.7, pytest-8.4.2, pluggy-1.6.0\n", None),
    ("py313-dj52: commands[0]> pytest\n", "pins-py313"),  # channels' tox: dj52 is Django 5.2
    # pytest-asyncio agrees with lts, pytest-django's Django line contradicts it
    ("platform linux -- Python 3.11.7, pytest-8.4.2, pluggy-1.6.0\ndjango: version: 5.2.4, settings: s (from ini)\n"
     "plugins: asyncio-0.23.8, django-4.8.0\n", None),
    ("platform linux -- Python 3.11.7, pytest-8.4.2, pluggy-1.6.0\nplugins: asyncio-0.23.8, django-4.8.0\n", "lts"),
])
def test_a_row_needs_one_of_the_entrys_libraries_to_agree(log, expected):
    row = best_row(table_rows(LIVE_TABLE), read(log))
    assert (row and row["set"]) == expected


def test_tox_factor_dj_is_django():
    assert read("py313-dj52: commands[0]> pytest tests\n") == [
        Seen("python", "3.13", "tox"), Seen("django", "5.2", "tox")]


def test_pytest_djangos_header_line_gives_djangos_version(tmp_path):
    """A real pytest-django session in this virtualenv: its ``pytest_report_header`` line."""
    import subprocess
    import sys

    import django

    (tmp_path / "settings.py").write_text("SECRET_KEY = 'x'\nINSTALLED_APPS = []\n", encoding="utf-8")
    (tmp_path / "test_x.py").write_text("import django\n\ndef test_x():\n    assert False\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pytest", "test_x.py", "-p", "no:cacheprovider", "--color=no",
                           "-p", "no:kb_known_issues", "--ds", "settings"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"django: version: {django.get_version()}, settings: settings (from option)" in proc.stdout
    seen = {s.name: s for s in read(proc.stdout)}
    assert seen["django"] == Seen("django", django.get_version(), "header")
    assert seen["django"].exact


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


def test_pip_freeze_pins_give_their_versions_and_a_listed_pin_counts_too():
    seen = read("asgiref==3.3.1\nchannels==3.0.3\n- `pytest-asyncio==1.4.0` fails\nnot a pin: x==1.0\nDjango==2.2.17\n")
    assert [(s.name, s.version, s.source) for s in seen] == [
        ("asgiref", "3.3.1", "freeze"), ("channels", "3.0.3", "freeze"), ("pytest-asyncio", "1.4.0", "freeze"),
        ("django", "2.2.17", "freeze")]
    # a header names a package first; the freeze line does not override it
    header = "platform linux -- Python 3.11.7, pytest-8.3.2, pluggy-1.5.0\npytest==7.0.0\n"
    assert [(s.name, s.version) for s in read(header) if s.name == "pytest"] == [("pytest", "8.3.2")]
