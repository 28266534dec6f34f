"""kb.signature: the normalisation every signature reads, and the signature model."""

import pytest

from kb.signature import Signature, SignatureError, browser_problem, normalise


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
    ({"name": "x", "strength": "weak", "all": ["a"], "when": ["b"]}, "unknown key(s) when"),
    ({"name": "x", "strength": "weak", "all": "a"}, "all must be a list of non-empty strings"),
])
def test_a_bad_signature_is_one_line_error(raw, message):
    with pytest.raises(SignatureError, match=None) as failed:
        Signature.parse(raw)
    assert message in str(failed.value) and "\n" not in str(failed.value)
