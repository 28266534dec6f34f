"""The pytest plugin: a "known issues" block in the summary of a failing run, and its opt-outs."""

import pytest
from kbfixture import write_entry

pytest_plugins = ["pytester"]

TESTS = '''
import pytest

class EchoRefused(Exception):
    pass

def test_echo_is_refused():
    raise EchoRefused("connection 7 refused")

def test_echo_is_refused_again():
    raise EchoRefused("connection 8 refused")

def test_unrelated():
    assert 1 + 1 == 3

@pytest.fixture
def refusing():
    raise EchoRefused("connection 9 refused")

def test_setup_fails(refusing):
    pass

def test_passes():
    pass
'''


@pytest.fixture
def kb_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("kb")
    write_entry(root)
    return root


@pytest.fixture(autouse=True)
def ini(pytester):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def run(pytester, kb_root, source=TESTS, *args):
    pytester.makepyfile(test_suite=source)
    return pytester.runpytest(f"--known-issues-root={kb_root}", "-p", "no:cacheprovider", *args)


def test_when_tests_fail_with_a_known_signature_then_the_summary_names_the_entry(pytester, kb_root):
    result = run(pytester, kb_root)
    result.assert_outcomes(failed=3, passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*= known issues =*",
        "1. echo-refused: The echo consumer refuses every connection",
        "  evidence: strong (sig-1)",
        "    | test_suite.EchoRefused: connection 7 refused",
        "  in:       test_suite.py::test_echo_is_refused, test_suite.py::test_echo_is_refused_again, "
        "test_suite.py::test_setup_fails",
        f"  read:     {kb_root / 'context' / 'echo-refused.md'}",
        "  run:      kb run echo-refused   (or pytest --nbmake *notebooks/echo-refused.ipynb)",
    ])
    block = result.stdout.str().split("known issues")[1]
    assert block.splitlines()[6] == f"  layer:    {kb_root}"  # the --known-issues-root's (kb.roots)
    # each failing test with its own answer, strongest first; the unrelated one with none
    assert block.splitlines()[8:13] == [
        "4 failure reports, each with its best entry, strongest first:",
        "  test_suite.py::test_echo_is_refused: echo-refused (strong, sig-1)",
        "  test_suite.py::test_echo_is_refused_again: echo-refused (strong, sig-1)",
        "  test_suite.py::test_setup_fails: echo-refused (strong, sig-1)",
        "  test_suite.py::test_unrelated: no known issue"]


def test_when_failures_are_unrelated_then_there_is_no_block(pytester, kb_root):
    result = run(pytester, kb_root, "def test_unrelated():\n    assert 1 + 1 == 3\n")
    result.assert_outcomes(failed=1)
    assert "known issues" not in result.stdout.str()


def test_when_everything_passes_then_there_is_no_block(pytester, kb_root):
    result = run(pytester, kb_root, "def test_ok():\n    pass\n")
    result.assert_outcomes(passed=1)
    assert "known issues" not in result.stdout.str()


def test_when_no_known_issues_is_given_then_there_is_no_block(pytester, kb_root):
    result = run(pytester, kb_root, TESTS, "--no-known-issues")
    result.assert_outcomes(failed=3, passed=1, errors=1)
    assert "known issues" not in result.stdout.str()


def test_when_the_plugin_is_disabled_by_name_then_there_is_no_block(pytester, kb_root):
    pytester.makepyfile(test_suite=TESTS)
    result = pytester.runpytest("-p", "no:kb_known_issues", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=3, passed=1, errors=1)
    assert "known issues" not in result.stdout.str()


def test_when_an_entry_is_broken_then_the_others_still_match(pytester, kb_root):
    (kb_root / "context" / "broken.md").write_text("---\nid: [unclosed\n---\n", encoding="utf-8")
    result = run(pytester, kb_root)
    result.stdout.fnmatch_lines(["*= known issues =*", "1. echo-refused: *"])


def test_when_tests_run_under_xdist_then_the_controller_prints_the_block(pytester, kb_root):
    pytester.makepyfile(test_suite=TESTS)
    result = pytester.runpytest_subprocess(f"--known-issues-root={kb_root}", "-p", "no:cacheprovider",
                                           "-n", "2", timeout=120)
    result.assert_outcomes(failed=3, passed=1, errors=1)
    result.stdout.fnmatch_lines(["*= known issues =*", "1. echo-refused: *"])


def test_the_plugin_is_registered_through_its_entry_point():
    from importlib.metadata import entry_points

    (found,) = [e for e in entry_points(group="pytest11") if e.name == "kb_known_issues"]
    assert found.value == "kb.plugin"


def test_when_a_notebook_fails_under_nbmake_then_the_block_names_the_entry(pytester, kb_root):
    """How users' CI runs the notebooks: `pytest --nbmake notebooks/`."""
    import nbformat
    from nbformat import v4

    nb = v4.new_notebook(cells=[v4.new_code_cell(
        "class EchoRefused(Exception):\n    pass\n\nraise EchoRefused('connection 7 refused')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nbformat.write(nb, pytester.path / "reproduce.ipynb")
    result = pytester.runpytest_subprocess("--nbmake", "reproduce.ipynb", f"--known-issues-root={kb_root}",
                                           "-p", "no:cacheprovider", timeout=180)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*= known issues =*", "1. echo-refused: *", "  in:       reproduce.ipynb*"])


FRAMES_ONLY = '''
class EchoRefused(Exception):
    pass

def check_echo():
    raise {error}("connection 7 refused")

def test_frames():
    check_echo()
'''


def test_when_an_entry_is_named_by_frames_alone_then_its_note_is_not_shown(pytester, tmp_path_factory):
    """A frames-only signature says where an error was raised, not what it was: the block words
    it so and shows no note, however well the installed versions fit it."""
    root = tmp_path_factory.mktemp("kb")
    note = [{"when": "python>=3", "text": "a note about EchoRefused", "cite": "https://example.org/echo"}]
    write_entry(root, signatures=("EchoRefused", {"name": "in-check-echo", "frames": ["test_suite.py:check_echo"]}),
                front={"notes": note})
    result = run(pytester, root, FRAMES_ONLY.format(error="RuntimeError"))  # another error, same frame
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "  evidence: weak (in-check-echo) - only frames matched, no message" in out
    assert "note (" not in out
    # the same entry named by its message shows the note
    result = run(pytester, root, FRAMES_ONLY.format(error="EchoRefused"))
    assert "note (echo-refused, python>=3): a note about EchoRefused [https://example.org/echo]" in result.stdout.str()


def test_when_two_entries_fit_a_failure_equally_then_the_block_says_ambiguous(pytester, tmp_path_factory):
    """Two entries whose signatures fit one failure as well as each other: the block says so
    first, and the failing test's line names both; a signature whose `when` the installed
    pytest contradicts is ruled out, so the other entry is named alone."""
    root = tmp_path_factory.mktemp("kb")
    write_entry(root)
    write_entry(root, "echo-refused-too", signatures=(r"EchoRefused: connection \d+",),
                quoted=("EchoRefused: connection 7 refused",))
    source = TESTS.split("def test_unrelated")[0]
    result = run(pytester, root, source)
    result.assert_outcomes(failed=2)
    block = result.stdout.str().split("known issues")[1].splitlines()
    assert block[1].startswith("ambiguous: echo-refused-too or echo-refused - the evidence fits these entries equally")
    assert "  test_suite.py::test_echo_is_refused: ambiguous: echo-refused-too or echo-refused (strong)" in block
    ruled_out = tmp_path_factory.mktemp("kb")
    write_entry(ruled_out)
    write_entry(ruled_out, "echo-refused-too", quoted=("EchoRefused: connection 7 refused",),
                signatures=({"name": "old-pytest", "strength": "strong", "all": [r"EchoRefused: connection \d+"],
                             "when": "pytest<6"},))
    block = run(pytester, ruled_out, source).stdout.str().split("known issues")[1]
    assert "ambiguous" not in block and "echo-refused-too" not in block
    assert "1. echo-refused: The echo consumer refuses every connection" in block
