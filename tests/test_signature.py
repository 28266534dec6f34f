"""kb.signature: the normalisation every signature reads, and the signature model."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb import REPO
from kb.corpus import texts
from kb.entries import scan
from kb.signature import (
    NORMALISE,
    Signature,
    SignatureError,
    browser_problem,
    needles,
    normalise,
    normalise_by_rules,
)


@pytest.mark.parametrize("raw, expected", [
    # pytest's E marker and indentation, in the long and the short forms
    ("E       RuntimeError: Two event loops", "RuntimeError: Two event loops"),
    ("E   asyncio.exceptions.CancelledError", "asyncio.exceptions.CancelledError"),
    ("E", ""),
    # the > source marker keeps one space
    (">       assert connected", "> assert connected"),
    # --tb=short frame: site-packages prefix gone, relative or absolute
    (".venv/lib/python3.11/site-packages/asgiref/testing.py:94: in send_input",
     "asgiref/testing.py:94: in send_input"),
    ("../../.venv/lib/python3.12/site-packages/channels_redis/core.py:277: in receive",
     "channels_redis/core.py:277: in receive"),
    # native traceback frame
    ('  File "/usr/lib/python3/dist-packages/asgiref/testing.py", line 94, in send_input',
     'File "asgiref/testing.py", line 94, in send_input'),
    ('  File "/root/.pyenv/versions/3.11.7/lib/python3.11/asyncio/base_events.py", line 653, in run',
     'File "asyncio/base_events.py", line 653, in run'),
    # Windows paths
    (r'  File "C:\Users\me\proj\.venv\Lib\site-packages\asgiref\testing.py", line 94, in send_input',
     'File "asgiref/testing.py", line 94, in send_input'),
    (r"C:\Python311\Lib\asyncio\base_events.py:653: in run_until_complete",
     "asyncio/base_events.py:653: in run_until_complete"),
    (r"tests\test_rooms.py:12: RuntimeError", "tests/test_rooms.py:12: RuntimeError"),
    # addresses and Python 3.7's exception module
    ("<asyncio.locks.Event object at 0x7f3a2b1c4d90 [unset]>", "<asyncio.locks.Event object at 0x0 [unset]>"),
    ("concurrent.futures._base.CancelledError", "asyncio.exceptions.CancelledError"),
    # colour codes, raw and as JUnit XML writes them
    ("\x1b[31mE       \x1b[0m\x1b[31mRuntimeError\x1b[39m: x", "RuntimeError: x"),
    ("#x1B[0;31mRuntimeError#x1B[0m: x", "RuntimeError: x"),
    # what must not change
    ("Error: an error line", "Error: an error line"),
    ("FAILED tests/test_x.py::test_y - RuntimeError: x", "FAILED tests/test_x.py::test_y - RuntimeError: x"),
    (r"ValueError: 'a\nb'", r"ValueError: 'a\nb'"),
])
def test_normalise_reads_every_form_alike(raw, expected):
    assert normalise(raw) == expected


def test_normalise_keeps_lines_apart():
    assert normalise("E   a\r\nE   b  \n") == "a\nb\n"


@pytest.mark.parametrize("pattern, problem", [
    (r"(?P<code>\d+)", "named groups"), (r"(?s)a.b", "inline flags"), (r"a\Z", r"\A or \Z"),
    (r"(?>a)", "atomic groups"), (r"a++", "possessive"), (r"(?#note)", "comments"),
])
def test_browser_problem_names_python_only_syntax(pattern, problem):
    assert problem in browser_problem(pattern)


@pytest.mark.parametrize("pattern", [r"\(False, 1000\)", r"a\\Z", r"(?:x|y)+", r"(?<=in )send_input",
                                     r"(?!assert)\w+", r"^> .*connect\(\)"])
def test_browser_problem_accepts_shared_syntax(pattern):
    assert browser_problem(pattern) is None


def test_a_signature_holds_when_all_any_and_not_agree():
    sig = Signature.parse({"name": "x", "strength": "strong", "all": ["^CancelledError", "in send_input$"],
                           "any": ["asgiref/testing", "asgiref\\\\testing"], "not": ["TimeoutError"]})
    text = normalise("asgiref/testing.py:94: in send_input\nE   CancelledError\n")
    evidence = sig.match(text)
    assert evidence.lines == ("CancelledError", "asgiref/testing.py:94: in send_input",
                              "asgiref/testing.py:94: in send_input")
    assert evidence.score == (2, 3)
    assert sig.match(text + "TimeoutError\n") is None
    assert sig.match("CancelledError\n") is None


@pytest.mark.parametrize("raw, message", [
    ("x", "signature 1 must be a mapping with name, strength and all"),
    ({"name": "x", "strength": "weak", "all": ["("]}, "does not compile"),
    ({"name": "x", "strength": "weak", "all": ["a"], "since": ["b"]}, "unknown key(s) since"),
    ({"name": "x", "strength": "weak", "all": ["a"], "when": ["b"]}, "'b' must be a name and release comparisons"),
    ({"name": "x", "strength": "weak", "all": ["a"], "when": []}, "when must be a requirement"),
    ({"name": "x", "strength": "weak", "all": "a"}, "all must be a list of non-empty strings"),
])
def test_a_bad_signature_is_one_line_error(raw, message):
    with pytest.raises(SignatureError, match=None) as failed:
        Signature.parse(raw)
    assert message in str(failed.value) and "\n" not in str(failed.value)


@pytest.mark.parametrize("pattern, expected", [
    (r"Two event loops are trying", ("Two event loops are trying",)),
    (r"(?:Magic|Async)?Mock\(\) was never awaited", ("Mock() was never awaited",)),
    (r"\bSyntheticError\b: .* refused", ("SyntheticError",)),
    (r"[A-Z]\w+Error: (?:connection )+closed", ("connection ",)),
    (r"(?:asgiref/testing|asgiref\\testing)", ("asgiref",)),  # the parser factors the prefix out
    (r"RuntimeError|TimeoutError", ("RuntimeError", "TimeoutError")),
    (r"RuntimeError|\w+Error", ("Error", "RuntimeError")),
    (r"RuntimeError|\w+Err", ()),  # one branch without a long enough literal: no shortcut
    (r"(?:Runtime|Timeout)Error: lost", ("Error: lost",)),
    (r"(?i:hello world)", ()),  # case-insensitive: no shortcut
    (r"\bin \w+$", ()),  # too short to be worth it
])
def test_needles_are_literals_every_match_holds(pattern, expected):
    assert needles(re.compile(pattern, re.M)) == expected


def test_needles_never_skip_a_real_match():
    """Over every entry's patterns and the whole captured corpus: a pattern that matches a
    text always finds one of its needles in it (the shortcut never hides a match)."""
    entries, _ = scan(REPO)
    patterns = [re.compile(p, re.M) for e in entries for s in e.signatures if isinstance(s, dict)
                for key in ("all", "any", "not") for p in s.get(key, [])]
    corpus = [normalise(text) for e in entries for _, text in texts(REPO, e.id)]
    checked = 0
    for pattern in patterns:
        required = needles(pattern)
        for text in corpus:
            if pattern.search(text):
                checked += 1
                assert not required or any(n in text for n in required), (pattern.pattern, required)
    assert checked > len(entries)  # the corpus exercised the patterns


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["ab", "cde", "x", "(?:fg|hij)", "[k-m]", "n?", "(?:op)+", "\\b",
                                 "q*", "rstu", "|", "(?:vw)?", "."]), min_size=1, max_size=8),
       st.text(alphabet="abcdefghijklmnopqrstuvwx ", max_size=40))
def test_needles_hold_for_generated_patterns(parts, text):
    pattern = re.compile("".join(parts))
    required = needles(pattern)
    if pattern.search(text) and required:
        assert any(n in text for n in required), (pattern.pattern, required, text)


def test_the_line_pass_is_the_browser_rules():
    """normalise's one pass over the lines gives what NORMALISE's regexes (the browser's) give:
    on the whole corpus, and on generated texts made of the characters those rules read."""
    assert [p for p, _, _ in NORMALISE[1:5]] == [r"^[ \t]*E(?:[ \t]+|$)", r"^[ \t]+",
                                                 r"(?<![ \t])[ \t]+$", r"^>[ \t]+"]
    entries, _ = scan(REPO)
    for entry in entries:
        for path, text in texts(REPO, entry.id):
            assert normalise(text) == normalise_by_rules(text), path


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \tE>\n\rxe:", max_size=60))
def test_the_line_pass_is_the_browser_rules_on_generated_text(text):
    assert normalise(text) == normalise_by_rules(text)


# ---- frames (issue 22): read from real captures of one scenario in every traceback form ----

LIVE_CAPTURES = REPO / "corpus/live-server-testcase/captured/lts"


@pytest.mark.parametrize("form", ["auto", "long", "short", "native", "django"])
def test_frames_are_read_from_every_traceback_form_with_their_function(form):
    from kb.frames import frames

    text = normalise((LIVE_CAPTURES / f"in_memory_refused.{form}.txt").read_text(encoding="utf-8"))
    found = [(path, function) for path, function, _ in frames(text)]
    assert ("channels/testing/live.py", "_pre_setup") in found
    # a warning's "path:N: SomeWarning: text" is not a frame
    assert not any(path.endswith("_pytest/config/__init__.py") for path, _ in found)


def test_a_frame_spec_matches_the_end_of_the_path_and_the_function_in_order():
    from kb.frames import FrameSpec, frames, match_frames

    text = normalise((LIVE_CAPTURES / "in_memory_refused.native.txt").read_text(encoding="utf-8"))
    found = frames(text)
    spec = lambda s: FrameSpec.parse(s)  # noqa: E731
    assert match_frames([spec("django/test/testcases.py:_setup_and_call"),
                         spec("channels/testing/live.py:_pre_setup")], found) is not None
    assert match_frames([spec("channels/testing/live.py:_pre_setup"),  # the other order
                         spec("django/test/testcases.py:_setup_and_call")], found) is None
    assert match_frames([spec("testing/live.py:_pre_*")], found) is not None
    assert match_frames([spec("channels/**/live.py:setUpClass|_pre_setup")], found) is not None
    assert match_frames([spec("ing/live.py:_pre_setup")], found) is None  # whole path components


@pytest.mark.parametrize("spec", ["live.py", "channels/testing/live:_pre_setup", "a b.py:f", "x.py:",
                                  "x.py:f g", 3])
def test_a_malformed_frame_spec_is_refused_in_one_line(spec):
    with pytest.raises(SignatureError, match=r"^signature 'x': frame .* must be 'path/to/module\.py:function'"):
        Signature.parse({"name": "x", "strength": "weak", "frames": [spec]})


def test_a_frames_only_signature_is_weak_unless_declared_strong():
    frames_only = {"name": "x", "frames": ["channels/testing/live.py:_pre_setup"]}
    assert Signature.parse(frames_only).strength == "weak"
    assert Signature.parse({**frames_only, "strength": "strong"}).strength == "strong"
    with pytest.raises(SignatureError, match="strength must be"):
        Signature.parse({"name": "x", "all": ["RuntimeError"]})
    with pytest.raises(SignatureError, match="frames must be a non-empty list"):
        Signature.parse({"name": "x", "strength": "weak", "frames": []})
