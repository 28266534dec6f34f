"""kb triage: pytest logs, JUnit XML and tracebacks in; matching entries (or exit 1/2) out."""

import io
import json
import subprocess
import sys
import textwrap

import pytest
from kbfixture import write_entry

from kb import REPO, cli
from kb.entries import scan
from kb.triage import decode, triage
from kb.triage_text import as_json, failure_lines, format_report

FAILING_TESTS = textwrap.dedent('''
    import asyncio
    import json
    import socket

    import pytest


    class EchoRefused(Exception):
        pass


    def test_arithmetic():
        assert 1 + 1 == 3


    def test_missing_key():
        rooms = {}
        rooms["ABC123"]


    def test_bad_json():
        json.loads("{bad")


    def test_wait_for_times_out():
        async def never():
            await asyncio.Event().wait()

        asyncio.run(asyncio.wait_for(never(), 0.01))


    def test_nothing_listens():
        socket.create_connection(("127.0.0.1", 9), timeout=2)


    @pytest.fixture
    def server():
        raise RuntimeError("the fixture could not start its server")


    def test_with_broken_fixture(server):
        pass


    def test_passes():
        pass


    def test_echo_is_refused():
        raise EchoRefused("connection 7 refused")
''')


def run_failing_suite(folder, *args) -> tuple[str, str]:
    """Run FAILING_TESTS with pytest in a subprocess: (terminal log, JUnit XML)."""
    (folder / "test_suite.py").write_text(FAILING_TESTS, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_suite.py", "-ra", "-p", "no:kb_known_issues",
         "-p", "no:cacheprovider", "--junitxml=report.xml", "--rootdir", str(folder), *args],
        cwd=folder, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return proc.stdout, (folder / "report.xml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def suite_with_echo(tmp_path_factory):
    return run_failing_suite(tmp_path_factory.mktemp("with-echo"))


@pytest.fixture(scope="module")
def suite_without_echo(tmp_path_factory):
    return run_failing_suite(tmp_path_factory.mktemp("without-echo"), "-k", "not echo")


@pytest.fixture
def kb_root(tmp_path):
    write_entry(tmp_path / "kb")
    write_entry(tmp_path / "kb", "two-loops", title="Two event loops on one channel layer",
                signatures=(r"RuntimeError: Two event loops are trying to receive\(\) on one channel layer",),
                quoted=("RuntimeError: Two event loops are trying to receive() on one channel layer at once!",))
    return tmp_path / "kb"


def triage_file(path, root, capsys) -> tuple[int, str, str]:
    code = cli.main(["triage", str(path), "--root", str(root)])
    out, err = capsys.readouterr()
    return code, out, err


def test_when_a_pytest_log_has_a_known_failure_then_its_entry_and_test_are_named(
        suite_with_echo, kb_root, tmp_path, capsys):
    log = tmp_path / "pytest.log"
    log.write_text(suite_with_echo[0], encoding="utf-8")
    code, out, _ = triage_file(log, kb_root, capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "1. echo-refused: The echo consumer refuses every connection"
    assert lines[1] == "  evidence: strong (sig-1)"
    assert lines[2] == "    | test_suite.EchoRefused: connection 7 refused"
    assert lines[3].startswith("  in:       test_echo_is_refused")  # (+ the summary line, if not cut)
    assert lines[4].startswith("  write-up: ") and lines[4].endswith("context/echo-refused.md")
    assert lines[5].startswith("  notebook: ") and lines[5].endswith("notebooks/echo-refused.ipynb")
    assert "two-loops" not in out


def test_when_a_junit_report_has_a_known_failure_then_the_testcase_is_named(
        suite_with_echo, kb_root, tmp_path, capsys):
    report = tmp_path / "report.xml"
    report.write_text(suite_with_echo[1], encoding="utf-8")
    code, out, _ = triage_file(report, kb_root, capsys)
    assert code == 0
    assert "  in:       test_suite::test_echo_is_refused\n" in out
    assert "two-loops" not in out


@pytest.mark.parametrize("kind", ["log", "junit"])
def test_when_failures_are_unrelated_then_nothing_is_claimed_and_exit_1(
        suite_without_echo, kb_root, tmp_path, capsys, kind):
    log, xml = suite_without_echo
    assert "5 failed, 1 passed, 1 deselected, 1 error" in log  # the suite did fail
    path = tmp_path / ("report.xml" if kind == "junit" else "pytest.log")
    path.write_text(xml if kind == "junit" else log, encoding="utf-8")
    code, out, _ = triage_file(path, kb_root, capsys)
    assert code == 1
    assert out.startswith(f"no known issue matches {path}")
    assert "(6 failure reports looked at)" in out


def test_when_failures_are_unrelated_then_the_real_knowledge_base_claims_nothing(
        suite_without_echo, tmp_path, capsys):
    path = tmp_path / "pytest.log"
    path.write_text(suite_without_echo[0], encoding="utf-8")
    code, out, _ = triage_file(path, REPO, capsys)
    assert (code, out.split(" (")[0]) == (1, f"no known issue matches {path}")


def test_when_given_a_bare_traceback_on_stdin_then_it_matches(kb_root, monkeypatch, capsys):
    traceback = ('Traceback (most recent call last):\n  File "x.py", line 3, in <module>\n'
                 "RuntimeError: Two event loops are trying to receive() on one channel layer at once!\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(traceback.encode())))
    assert cli.main(["triage", "-", "--root", str(kb_root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. two-loops: Two event loops on one channel layer\n")
    assert "  in:       <stdin>\n" in out


def test_when_json_is_asked_then_matches_are_json(kb_root, tmp_path, capsys):
    import json

    path = tmp_path / "t.txt"
    path.write_text("EchoRefused: connection 12 refused\n", encoding="utf-8")
    assert cli.main(["triage", str(path), "--json", "--root", str(kb_root)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(m["id"], m["line"]) for m in data["matches"]] == [("echo-refused", "EchoRefused: connection 12 refused")]


@pytest.mark.parametrize("content, reason", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is binary (NUL byte at offset 8)"),
    (b"caf\xe9 au lait\n", "is not UTF-8 text (undecodable byte at offset 3)"),
    (b"<?xml version='1.0'?><testsuite><testcase", "is not well-formed XML"),
])
def test_when_input_is_unreadable_then_exit_2_with_one_line(kb_root, tmp_path, capsys, content, reason):
    path = tmp_path / "input"
    path.write_bytes(content)
    code, out, err = triage_file(path, kb_root, capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and reason in err


def test_when_log_is_missing_then_exit_2(kb_root, tmp_path, capsys):
    code, _, err = triage_file(tmp_path / "nope.log", kb_root, capsys)
    assert code == 2
    assert err == f"kb triage: cannot read {tmp_path / 'nope.log'}: no such file\n"


def test_when_path_is_a_folder_then_exit_2(kb_root, tmp_path, capsys):
    code, _, err = triage_file(tmp_path, kb_root, capsys)
    assert code == 2 and err.endswith("it is a folder\n")


def test_when_text_has_a_bom_then_it_is_read():
    assert decode(b"\xef\xbb\xbfhello", "x") == "hello"


def test_when_log_is_10_mb_then_the_one_known_failure_is_found_and_named(kb_root):
    """Correctness on a large log (the speed is measured in bench/triage.py, not asserted)."""
    from kb.entries import load_all

    unrelated = textwrap.dedent('''\
        ____________________________ test_room_{n} ____________________________

            async def test_room_{n}():
        >       assert await communicator.receive_json_from() == {{"n": {n}}}
        E       AssertionError: assert {{'n': {m}}} == {{'n': {n}}}

        tests/test_rooms.py:{n}: AssertionError
        ''')
    parts = ["=== test session starts ===\n"]
    parts += [f"tests/test_rooms.py::test_ok_{i} PASSED\n" for i in range(50_000)]
    parts.append("=================================== FAILURES ===================================\n")
    n, size = 0, sum(map(len, parts))
    while size < 10_000_000:
        parts.append(unrelated.format(n=n, m=n + 1))
        size += len(parts[-1])
        n += 1
    parts.append("____ test_two_loops ____\n\nE   RuntimeError: Two event loops are trying to receive() "
                 "on one channel layer at once!\n")
    parts.append("=========================== short test summary info ============================\n"
                 "FAILED tests/test_rooms.py::test_room_0 - AssertionError: assert {'n': 1} == {'n': 0}\n")
    text = "".join(parts)
    assert len(text) >= 10_000_000
    report = triage(text, load_all(kb_root), "big.log")
    assert list(report.matches) == ["two-loops"]
    assert [m.where for m in report.matches["two-loops"]] == ["test_two_loops"]
    assert report.failures == n + 1


# the shipped entries; that each one's corpus triages to it (and no negative text to any) is
# kb lint's check, run per entry in tests/test_repo_lint.py
LIVE, _ = scan(REPO)


def test_when_several_entries_match_then_strong_evidence_ranks_first(tmp_path):
    weak = {"name": "message", "strength": "weak", "all": ["EchoRefused: connection"]}
    strong = {"name": "frame", "strength": "strong", "all": ["EchoRefused: connection", r"in refuse$"]}
    write_entry(tmp_path, "a-weak", signatures=(weak,))
    write_entry(tmp_path, "b-strong", signatures=(strong,))
    text = ('Traceback (most recent call last):\n  File "/srv/app/echo.py", line 9, in refuse\n'
            "    raise EchoRefused('connection 1 refused')\nEchoRefused: connection 1 refused\n")
    report = triage(text, scan(tmp_path)[0])
    assert list(report.matches) == ["b-strong", "a-weak"]
    assert report.matches["b-strong"][0].lines == ("EchoRefused: connection 1 refused",
                                                   'File "/srv/app/echo.py", line 9, in refuse')


def test_when_a_not_pattern_holds_then_the_signature_does_not(tmp_path):
    sig = {"name": "closed-4001", "strength": "strong", "all": [r"'code': 4001"], "not": [r"assert .* == "]}
    write_entry(tmp_path, "closes", signatures=(sig,))
    entries = scan(tmp_path)[0]
    assert triage("E   AssertionError: assert {'type': 'websocket.close', 'code': 4003} == "
                  "{'type': 'websocket.close', 'code': 4001}\n", entries).matches == {}
    assert triage("E   AssertionError: got {'type': 'websocket.close', 'code': 4001}\n",
                  entries).matched


def test_when_weak_evidence_matches_then_the_report_says_it_is_weak(tmp_path, capsys):
    write_entry(tmp_path / "kb", signatures=({"name": "message", "strength": "weak", "all": ["EchoRefused"]},))
    path = tmp_path / "t.log"
    path.write_text("EchoRefused: connection 1 refused\n", encoding="utf-8")
    code, out, _ = triage_file(path, tmp_path / "kb", capsys)
    assert code == 0
    assert "  evidence: weak (message) - this message alone; other causes print it too." in out


def test_when_the_log_is_coloured_then_the_codes_do_not_hide_a_match(kb_root, tmp_path, capsys):
    """pytest --color=yes and nbmake's IPython tracebacks put ANSI codes inside the message."""
    path = tmp_path / "ci.log"
    path.write_text("\x1b[31mE       \x1b[0m\x1b[31mEchoRefused\x1b[39m: connection 7 refused\x1b[0m\n",
                    encoding="utf-8")
    code, out, _ = triage_file(path, kb_root, capsys)
    assert code == 0
    assert "    | EchoRefused: connection 7 refused\n" in out


def test_when_a_junit_report_carries_escaped_colour_codes_then_anchored_signatures_match(tmp_path, capsys):
    """In JUnit XML pytest writes ESC as the text "#x1B" (nbmake's coloured cell tracebacks)."""
    write_entry(tmp_path / "kb", "closed-loop", title="A loop closed under a shared client",
                signatures=(r"^RuntimeError: Event loop is closed$",),
                quoted=("RuntimeError: Event loop is closed",))
    path = tmp_path / "report.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" failures="1">'
        '<testcase classname="" name="notebooks/x.ipynb"><failure message="cell failed">'
        "#x1B[0;31mRuntimeError#x1B[0m: Event loop is closed\n</failure></testcase>"
        "</testsuite></testsuites>\n",
        encoding="utf-8",
    )
    code, out, _ = triage_file(path, tmp_path / "kb", capsys)
    assert code == 0
    assert "    | RuntimeError: Event loop is closed\n" in out


def test_when_a_log_has_failing_tests_then_what_the_interpreter_prints_after_pytests_last_line_is_not_judged():
    # captured on the lts set (pytest-asyncio 0.23): a refused test leaves its consumer on a
    # closed loop, and at exit the interpreter prints "Task was destroyed" / "Event loop is closed"
    entries, _ = scan(REPO)
    text = (REPO / "corpus/auth-middleware/captured/lts/copy.short.txt").read_text(encoding="utf-8")
    final = "======================== 2 failed, 3 warnings in "
    assert final in text and "RuntimeError: Event loop is closed" in text.split(final)[1]
    assert list(triage(text, entries).matches) == ["auth-middleware"]
    # pasted alone, the trailer is weak evidence of a consumer left on a closed loop
    trailer = text.split(final)[1].split("\n", 1)[1]
    alone = triage(trailer, entries)
    assert list(alone.matches) == ["event-loop-conflict"]
    assert {m.strength for m in alone.matches["event-loop-conflict"]} == {"weak"}


# ---- issue 22: every failing test, frames, versions (real captures from corpus/, never assembled) ----

MOCK_LOG = REPO / "corpus/mock-misconfiguration/captured/pins/mock.auto.txt"
LIVE_LOG = REPO / "corpus/live-server-testcase/captured/pins/in_memory_refused.auto.txt"
IN_MEMORY = "can not be used with in memory databases"


def read(path) -> str:
    return path.read_text(encoding="utf-8")


def test_when_a_log_holds_two_entries_failing_tests_then_each_test_is_answered_by_its_own_entry():
    report = triage(read(MOCK_LOG) + read(LIVE_LOG), LIVE, "two.log")
    answers = {f.where: f.best.entry_id for f in report.reports}
    assert answers == {"test_mock.py::test_a": "mock-misconfiguration",
                       "test_mock.py::test_b": "mock-misconfiguration",
                       "test_in_memory_refused.py::MatchOverLiveServer::test_a_user_joins_a_match":
                           "live-server-testcase"}
    scores = [f.best.score for f in report.reports]
    assert scores == sorted(scores, reverse=True)  # strongest first


def test_when_a_strong_match_is_in_one_test_then_a_weak_cause_of_another_test_is_still_listed():
    weak_only = REPO / "corpus/auth-middleware/captured/lts/cookie.line.txt"  # a weak match, alone
    report = triage(read(LIVE_LOG) + read(weak_only), LIVE, "two.log")
    assert [(f.where, f.best.entry_id, f.best.strength) for f in report.reports] == [
        ("test_in_memory_refused.py::MatchOverLiveServer::test_a_user_joins_a_match", "live-server-testcase", "strong"),
        ("test_cookie.py::test_alice", "auth-middleware", "weak")]


def test_when_a_failing_test_follows_a_final_line_then_it_is_still_judged():
    # pytest prints its short test summary before its last line (_pytest/terminal.py 9.2.0:
    # pytest_terminal_summary, then summary_stats), so a report after a final line belongs to
    # another run: a CI log of two runs whose second was cut off before its own last line
    first, second = read(MOCK_LOG), read(LIVE_LOG)
    cut = second[: second.rindex("\n=") + 1]
    assert "ImproperlyConfigured" in cut and " in 25.80s " not in cut
    report = triage(first + cut, LIVE, "ci.log")
    answers = {f.where: f.best.entry_id for f in report.reports if f.best}
    assert answers["test_in_memory_refused.py::MatchOverLiveServer::test_a_user_joins_a_match"] == \
        "live-server-testcase"
    assert answers["test_mock.py::test_a"] == "mock-misconfiguration"
    # what follows the last run's final line is still left out (the interpreter's shutdown)
    trailer = "\nRuntimeError: Event loop is closed\n"
    assert [f.best.entry_id for f in triage(second + trailer, LIVE).reports if f.best] == ["live-server-testcase"]


def test_when_pytest_asyncios_own_no_current_loop_error_shows_no_frame_then_the_answer_is_ambiguous_with_the_note():
    # captured on the lts set (pytest-asyncio 0.23.8): --tb=line shows only asyncio/events.py, which
    # a user's own get_event_loop() prints too: both entries fit equally, and triage says so
    # instead of naming the first by entry order; the plugins: line selects the note for 0.23-1.1
    text = read(REPO / "corpus/pytest-asyncio-setup/captured/lts/asyncio_run_in_sync_fixture.line.txt")
    report = triage(text, LIVE)
    assert report.answer == ("no-current-event-loop", "pytest-asyncio-setup")
    assert report.reports[0].tied == ("no-current-event-loop", "pytest-asyncio-setup")
    printed = format_report(report)
    assert printed.startswith("ambiguous: no-current-event-loop or pytest-asyncio-setup - the evidence fits")
    shown = json.loads(as_json(report))
    assert shown["answer"] == ["no-current-event-loop", "pytest-asyncio-setup"] and shown["ambiguous"] is True
    assert shown["reports"][0]["tied"] == ["no-current-event-loop", "pytest-asyncio-setup"]
    assert [(i, n.cite) for i, n in report.notes] == [
        ("no-current-event-loop", "https://github.com/pytest-dev/pytest-asyncio/issues/658")]
    # pytest-asyncio 1.5.0 (the pins) cannot raise it itself: its signature's `when` rules it out,
    # one answer, and no note
    pins = triage(read(REPO / "corpus/no-current-event-loop/captured/pins/get_event_loop_in_sync_test.line.txt"), LIVE)
    assert any(s.name == "pytest-asyncio" and s.version == "1.5.0" for s in pins.versions)
    assert pins.answer == ("no-current-event-loop",) and pins.notes == []
    # with frames (the auto form), no-current-event-loop's strong signature decides: not ambiguous
    auto = triage(read(REPO / "corpus/no-current-event-loop/captured/lts/get_event_loop_in_sync_test.auto.txt"), LIVE)
    assert auto.answer == ("no-current-event-loop",) and auto.reports[0].matches[0].strength == "strong"


def test_when_the_summary_alone_shows_the_error_and_no_versions_then_both_entries_are_named_for_every_test():
    text = "".join(f"FAILED t.py::test_{i} - RuntimeError: There is no current event loop in thread 'MainThread'.\n"
                   for i in range(2))
    report = triage(text, LIVE)
    assert report.answer == ("no-current-event-loop", "pytest-asyncio-setup")
    assert failure_lines(report)[1] == "  t.py::test_0: ambiguous: no-current-event-loop or pytest-asyncio-setup (weak)"
    # a header that shows pytest-asyncio 0.21 rules pytest-asyncio-setup's frameless signature out
    header = "platform linux -- Python 3.11.7, pytest-7.4.4, pluggy-1.3.0\nplugins: asyncio-0.21.1\n"
    assert triage(header + text, LIVE).answer == ("no-current-event-loop",)


def test_a_unittest_test_id_rules_out_pytest_asyncios_own_no_current_loop_error():
    # pytest-asyncio 0.22-1.1 raise it only in wrap_in_sync, which runs the items it made from
    # pytest's Function items; the tests of a unittest.TestCase (collected by _pytest/unittest.py
    # whatever the class is called) are never among them (the sources: pytest-asyncio-setup.md,
    # above no-current-loop-message). A log shows the id, not the class's bases: only a `*TestCase`
    # name not starting with Test is taken for one. The lts set's ci capture (0.23.8, inside the
    # signature's versions; pins' 1.5.0 and oldest's 0.21.2 are outside them and do not test it):
    ci = read(REPO / "corpus/no-current-event-loop/captured/lts/get_event_loop_in_setup.ci.txt").splitlines()
    header = [line for line in ci if line.startswith(("platform ", "plugins: "))]
    summary = [line for line in ci if line.startswith("FAILED ")]
    assert "asyncio-0.23.8" in header[1] and summary[0].startswith(
        "FAILED test_get_event_loop_in_setup.py::EchoTestCase::test_echo_round_trip - RuntimeError: There is no")
    text = "\n".join(header + summary) + "\n"
    assert triage(text, LIVE).answer == ("no-current-event-loop",)
    assert triage(text.replace("FAILED ", "ERROR "), LIVE).answer == ("no-current-event-loop",)
    # a class pytest collects by its name (Test*, or *Tests under the python_classes Django suites
    # often set: pytest-asyncio then raises this error for a plain class, review-19a), or
    # pytest-describe's lower-case block, can hold pytest-asyncio's own tests: both stay named
    both = ("no-current-event-loop", "pytest-asyncio-setup")
    for name in ("TestEcho", "EchoTests", "describe_echo"):
        assert triage(text.replace("::EchoTestCase::", f"::{name}::"), LIVE).answer == both, name
    # several failures: a plain pytest test's bare message stays tied in its own report
    plain = "FAILED test_plain.py::test_echo - RuntimeError: There is no current event loop in thread 'MainThread'.\n"
    reports = {failure.where: failure.tied for failure in triage(text + plain, LIVE).reports}
    assert any("test_plain.py::test_echo" in where and set(tied) == set(both) for where, tied in reports.items()), reports
    # unittest's (here Django's) runner is not pytest at all: its header (3.11's and 3.10's) and
    # the message, as a paste cut before the traceback; the message alone still fits both
    for version_set in ("pins", "oldest"):
        django = read(REPO / f"corpus/no-current-event-loop/captured/{version_set}/get_event_loop_in_setup.django.txt")
        cut = [line for line in django.splitlines() if line.startswith(("ERROR: ", "RuntimeError: "))]
        assert len(cut) == 2 and "EchoTests" in cut[0]
        assert triage("\n".join(cut) + "\n", LIVE).answer == ("no-current-event-loop",)
        assert triage(cut[1] + "\n", LIVE).answer == both


def test_a_note_scoped_to_signatures_shows_only_when_one_of_them_named_the_entry(tmp_path):
    write_entry(tmp_path, signatures=({"name": "one", "strength": "strong", "all": ["ErrorOne"]},
                                      {"name": "two", "strength": "strong", "all": ["ErrorTwo"]}),
                quoted=("ErrorOne: x", "ErrorTwo: y"),
                front={"notes": [{"when": "python>=3", "signatures": ["one"], "text": "about one", "cite": "https://x.org/1"},
                                 {"when": "python>=3", "text": "about any", "cite": "https://x.org/2"}]})
    entries, _ = scan(tmp_path)
    header = "platform linux -- Python 3.11.7, pytest-8.3.2, pluggy-1.5.0\n"
    assert [n.text for _, n in triage(header + "ErrorOne: x", entries).notes] == ["about one", "about any"]
    assert [n.text for _, n in triage(header + "ErrorTwo: x", entries).notes] == ["about any"]


def test_when_plain_tracebacks_follow_each_other_then_each_is_a_failure_report_of_its_own():
    first = REPO / "corpus/mock-misconfiguration/captured/pins/forgot.script.txt"
    second = REPO / "corpus/live-server-testcase/captured/pins/no_daphne.script.txt"
    report = triage(read(first) + "\n" + read(second), LIVE, "two.txt")
    best = [(f.where, f.best.entry_id if f.best else None) for f in report.reports]
    assert ("two.txt (traceback 3)", "live-server-testcase") in best
    assert ("two.txt (traceback 1)", "mock-misconfiguration") in best
    assert report.failures == 3


def test_when_a_chained_traceback_is_given_then_it_stays_one_failure_report():
    chained = REPO / "corpus/live-server-testcase/captured/lts/postgres_child_closes.native.txt"
    body = read(chained)
    assert "The above exception was the direct cause" in body or "During handling" in body
    start = body.index("Traceback (most recent call last):")
    report = triage(body[start:].split("\n=====", 1)[0], LIVE, "chained.txt")
    assert report.failures == 1


@pytest.mark.parametrize("form", ["native", "short", "django"])
def test_when_a_capture_is_cut_before_its_exception_line_then_its_frames_name_the_entry(form, tmp_path):
    text = read(REPO / f"corpus/live-server-testcase/captured/lts/in_memory_refused.{form}.txt")
    cut = text[: text.index(IN_MEMORY)]
    cut = cut[: cut.rfind("\n")]  # the whole exception line goes
    assert IN_MEMORY not in cut
    # the test case's set-up frame alone names no entry of the knowledge base (any error raised
    # while ChannelsLiveServerTestCase sets up shows it: a fixture, databases, a daemonic worker)
    assert "live-server-testcase" not in triage(cut, LIVE, "cut.txt").matches
    report = triage(cut, frames_only_kb(tmp_path), "cut.txt")
    assert list(report.matches) == ["set-up-frame"]
    best = report.matches["set-up-frame"][0]
    assert (best.signature, best.strength, best.basis) == ("set-up", "weak", "frames")
    assert "channels/testing/live.py" in best.lines[0]


#: a cause's message, and the set-up frame every error of ChannelsLiveServerTestCase shows
SET_UP = {"name": "set-up", "frames": ["channels/testing/live.py:_pre_setup|setUpClass"]}


def frames_only_kb(root, note_when: str = "python>=3", cause: str = "NoSuchCauseHere"):
    """A knowledge base of one entry: a message signature for its cause, a frames-only one
    for ChannelsLiveServerTestCase's set-up frame, and a note for every Python."""
    notes = [{"when": note_when, "text": "a note about the cause", "cite": "https://example.org/cause"}]
    write_entry(root, "set-up-frame", signatures=({"name": "cause", "strength": "weak", "all": [cause]}, SET_UP),
                front={"notes": notes})
    return scan(root)[0]


@pytest.mark.parametrize("version_set", ["pins", "lts"])
def test_when_only_frames_match_then_the_weak_wording_says_so_and_no_note_is_shown(tmp_path, version_set):
    text = read(REPO / f"corpus/live-server-testcase/captured/{version_set}/in_memory_refused.auto.txt")
    report = triage(text, frames_only_kb(tmp_path), "log")
    best = report.reports[0].best
    assert (best.signature, best.basis) == ("set-up", "frames")
    out = format_report(report)
    assert "evidence: weak (set-up) - only frames matched, no message: any error raised inside them" in out
    assert "this message alone" not in out
    assert report.versions and report.notes == [] and report.rows == []
    assert "note (" not in out
    # the same entry named by its cause's message shows its note
    report = triage(text, frames_only_kb(tmp_path / "b", cause="can not be used with in memory"), "log")
    assert (report.reports[0].best.signature, report.reports[0].best.basis) == ("cause", "message")
    assert [(i, n.text) for i, n in report.notes] == [("set-up-frame", "a note about the cause")]
    assert "evidence: weak (cause) - this message alone; other causes print it too" in format_report(report)


def test_when_a_paste_elides_frames_with_ellipses_crlf_and_indentation_then_the_frames_still_match(tmp_path):
    text = read(REPO / "corpus/live-server-testcase/captured/lts/in_memory_refused.native.txt")
    lines = text[: text.index(IN_MEMORY)].splitlines()[:-1]
    start = next(i for i, line in enumerate(lines) if line.startswith("Traceback"))
    frame = next(i for i, line in enumerate(lines) if "channels/testing/live.py" in line)
    pasted = [lines[start], "  ...", "[...]", *("    " + line for line in lines[frame:])]
    entries = frames_only_kb(tmp_path)
    report = triage("\r\n".join(pasted), entries, "pasted.txt")
    assert list(report.matches) == ["set-up-frame"]
    # and without the live.py frame nothing is claimed
    assert not triage("\r\n".join(pasted[:3]), entries, "pasted.txt").matched


def test_when_json_is_asked_then_each_failure_report_is_listed_and_the_old_keys_stay(tmp_path, capsys):
    log = tmp_path / "two.log"
    log.write_text(read(MOCK_LOG) + read(LIVE_LOG), encoding="utf-8")
    assert cli.main(["triage", str(log), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert {"source", "failures", "matches"} <= set(found)
    assert [r["best"]["id"] for r in found["reports"]] == [
        "mock-misconfiguration", "mock-misconfiguration", "live-server-testcase"]
    assert {"name": "pytest", "version": "9.2.0", "from": "platform"} in found["versions"]
    assert [r["set"] for r in found["rows"]] == ["pins", "pins"]


@pytest.mark.parametrize("version_set", ["pins", "lts", "oldest"])
def test_the_versions_a_capture_shows_are_the_versions_it_was_captured_with(version_set):
    folder = REPO / "corpus/live-server-testcase/captured" / version_set
    meta = json.loads(read(folder / "meta.json"))
    report = triage(read(folder / "in_memory_refused.auto.txt"), LIVE, "log")
    seen = {s.name: s.version for s in report.versions}
    assert seen["python"] == meta["python"]
    for name in ("pytest", "pytest-asyncio", "pytest-django"):
        assert seen[name] == meta["versions"][name], name
    assert seen["django"] == meta["versions"]["Django"]  # pytest-django's "django: version:" line
    assert [(i, row["set"]) for i, row in report.rows] == [("live-server-testcase", version_set)]
    assert f"django {meta['versions']['Django']}" in report.rows[0][1]["agreed"]
    assert f"measured (live-server-testcase, its Versions table): {version_set}: Python {meta['python']}" \
        in format_report(report)


def test_when_an_entry_has_a_note_for_the_versions_read_then_triage_shows_it(tmp_path):
    text = read(REPO / "corpus/live-server-testcase/captured/lts/in_memory_refused.auto.txt")
    meta = json.loads(read(REPO / "corpus/live-server-testcase/captured/lts/meta.json"))
    asyncio_version = meta["versions"]["pytest-asyncio"]
    notes = [{"when": f"pytest-asyncio=={asyncio_version}", "text": "that release's own bug: upgrade past it",
              "cite": "https://github.com/pytest-dev/pytest-asyncio/releases"},
             {"when": ["pytest-asyncio>=1.0", "python>=3.11"], "text": "not for these versions",
              "cite": "https://example.org/other"}]
    write_entry(tmp_path, "in-memory", signatures=(IN_MEMORY,), front={"notes": notes})
    report = triage(text, scan(tmp_path)[0], "log")
    assert [(i, n.text) for i, n in report.notes] == [("in-memory", "that release's own bug: upgrade past it")]
    assert (f"note (in-memory, pytest-asyncio=={asyncio_version}): that release's own bug: upgrade past it "
            "[https://github.com/pytest-dev/pytest-asyncio/releases]") in format_report(report)


def test_an_unrun_async_fixture_that_returns_is_read_by_its_argument_and_its_bare_message_is_ambiguous_before_pytest_9():
    folder = REPO / "corpus/pytest-asyncio-setup/captured/pytest-asyncio-0.21.2"
    auto = triage(read(folder / "async_fixture_returning_value.auto.txt"), LIVE)
    assert auto.answer == ("pytest-asyncio-setup",)
    assert auto.reports[0].matches[0].signature == "async-coroutine-fixture-argument"
    # --tb=line keeps only the message, which an AsyncMock's result prints too: both, on pytest 7.4
    line = triage(read(folder / "async_fixture_returning_value.line.txt"), LIVE)
    assert line.answer == ("mock-misconfiguration", "pytest-asyncio-setup")
    # pytest 9 refuses an unhandled async fixture at set-up: the pins' AsyncMock capture names mock alone
    pins = triage(read(REPO / "corpus/mock-misconfiguration/captured/pins/am.line.txt"), LIVE)
    assert any(s.name == "pytest" and s.version.startswith("9.") for s in pins.versions)
    assert pins.answer == ("mock-misconfiguration",)


UNDER_ASYNCIO_RUN = textwrap.dedent('''
    import asyncio

    from channels.exceptions import ChannelFull


    async def main():
        raise ValueError("boom")


    async def full():
        raise ChannelFull()


    def test_app_bug_under_asyncio_run():
        asyncio.run(main())


    def test_channel_full_under_asyncio_run():
        asyncio.run(full())
''')


def test_when_a_long_report_runs_through_asyncio_run_then_its_main_argument_and_source_claim_nothing(tmp_path):
    # every frame of pytest's long form prints its arguments: asyncio.run's own reads
    # `main = <coroutine object main at 0x...>` (named like the coroutine function, as an unrun
    # fixture would be), and its source holds "asyncio.run() cannot be called" on a line of its own
    (tmp_path / "test_run.py").write_text(UNDER_ASYNCIO_RUN, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "test_run.py", "--tb=long", "-p", "no:kb_known_issues",
         "-p", "no:cacheprovider", "--rootdir", str(tmp_path)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "main = <coroutine object main at 0x" in proc.stdout, proc.stdout
    answers = {f.where.split("::")[-1]: f.tied for f in triage(proc.stdout, LIVE).reports}
    assert answers.get("test_app_bug_under_asyncio_run", ()) == ()
    assert answers["test_channel_full_under_asyncio_run"] == ("channel-full",)


def test_pytest_asyncio_raises_no_current_loop_only_in_the_main_thread_and_from_0_22():
    summary = "FAILED t.py::test_a - RuntimeError: There is no current event loop in thread '{}'.\n"
    # 'ThreadPoolExecutor-0_0' is asgiref's sync_to_async thread (a sync consumer's handler under
    # a communicator), not pytest-asyncio's code; off the main thread get_event_loop() never makes
    # a loop (asyncio/events.py), and the summary line cannot tell a consumer's call from a test's
    # (review-17): no entry
    assert triage(summary.format("ThreadPoolExecutor-0_0"), LIVE).answer == ()
    # the yanked 0.22.0 asks get_event_loop() in wrap_in_sync like 0.23 (plugin.py:804): both fit
    header = "platform linux -- Python 3.11.7, pytest-7.4.4, pluggy-1.7.0\nplugins: asyncio-0.22.0\n"
    report = triage(header + summary.format("MainThread"), LIVE)
    assert report.answer == ("no-current-event-loop", "pytest-asyncio-setup")
    assert [i for i, _ in report.notes] == ["no-current-event-loop"]


def test_the_no_current_loop_note_is_not_shown_where_a_frame_already_rules_pytest_asyncio_out():
    # lts (pytest-asyncio 0.23.8): the auto form shows the user's frame, strong no-current-loop
    auto = triage(read(REPO / "corpus/no-current-event-loop/captured/lts/get_event_loop_in_sync_test.auto.txt"), LIVE)
    assert any(s.name == "pytest-asyncio" and s.version == "0.23.8" for s in auto.versions)
    assert auto.answer == ("no-current-event-loop",) and auto.notes == []


@pytest.mark.parametrize("pytest_version, answer", [
    ("9.0.3", ("mock-misconfiguration", "pytest-asyncio-setup")),  # 9.0 runs it once the warning is ignored
    ("9.1.0", ("mock-misconfiguration",)),  # 9.1 fails an unhandled async fixture at set-up
])
def test_an_unrun_coroutine_fixture_is_ruled_out_from_pytest_9_1(pytest_version, answer):
    text = (f"platform linux -- Python 3.11.7, pytest-{pytest_version}, pluggy-1.6.0\n"
            "FAILED t.py::test_a - AttributeError: 'coroutine' object has no attribute 'send_json_to'\n")
    assert triage(text, LIVE).answer == answer


@pytest.mark.parametrize("line", [
    "2024-05-02 10:11:12,345 ERROR    Exception inside application: asyncio.run() cannot be called from a running event loop",
    "future: <Task finished name='Task-12' coro=<C.receive_json() done, defined at /app/c.py:40> "
    "exception=RuntimeError('asyncio.run() cannot be called from a running event loop')>",
])
def test_asyncio_run_in_a_loop_is_read_in_daphnes_log_line_and_in_a_tasks_repr(line):
    report = triage("Task exception was never retrieved\n" + line + "\n", LIVE)
    assert report.answer == ("sync-async-boundary",)
    assert report.reports[0].matches[0].signature == "asyncio-run-in-loop"


def test_a_daemonic_assertion_from_a_non_channels_setupclass_is_only_weak_live_server_parallel():
    # a class that starts a multiprocessing.Manager in setUpClass under --parallel: the same
    # assertion and a "setUpClass (...)" line, but no Channels frame or class (review-14, point 2)
    text = textwrap.dedent("""\
        ERROR: setUpClass (app.tests.ReportExportTests)
        ----------------------------------------------------------------------
        Traceback (most recent call last):
          File "/usr/lib/python3.12/unittest/suite.py", line 166, in _handleClassSetUp
            setUpClass()
          File "/srv/app/tests.py", line 12, in setUpClass
            cls.manager = multiprocessing.Manager()
          File "/usr/lib/python3.12/multiprocessing/managers.py", line 562, in start
            self._process.start()
          File "/usr/lib/python3.12/multiprocessing/process.py", line 118, in start
            assert not _current_process._config.get('daemon'), \\
        AssertionError: daemonic processes are not allowed to have children
        """)
    report = triage(text, LIVE)
    assert report.failures == 1
    assert {m.strength for m in report.matches["live-server-parallel"]} == {"weak"}
    # the Channels server's own frame keeps it strong
    live = text.replace('  File "/srv/app/tests.py", line 12, in setUpClass\n    cls.manager = multiprocessing.Manager()\n',
                        '  File "/venv/lib/python3.12/site-packages/channels/testing/live.py", line 76, in setUpClass\n'
                        '    cls._server_process.start()\n')
    assert "channels/testing/live.py" in live
    assert "strong" in {m.strength for m in triage(live, LIVE).matches["live-server-parallel"]}
