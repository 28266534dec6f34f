"""The index's paste box: a pasted log is triaged in the browser exactly as `kb triage` does.

The site of this repository's own knowledge base is rendered and opened in a real headless
Chromium (the DevTools driver of tests/test_site.py). Pasted texts are real: every text of the
corpus (`corpus/<id>/captured/`, `reported/`, and `corpus/_negative/`), and the logs of pytest
runs made here of real failures (a nested `asyncio.run()`, an awaited `Mock`). For each, what
the page lists (entries in order, evidence lines, "weak" wording, the closing line) must equal
what `kb triage` prints for the same text, and each corpus text must name its entry first
(a negative text: none).
"""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from test_site import browser_only, chromium

from kb import REPO
from kb.browser import data, script_json
from kb.corpus import texts
from kb.entries import scan
from kb.lint_corpus import listed_ambiguous, listed_for, summary_only
from kb.signature import normalise
from kb.triage import triage
from kb.triage_text import answer_lines, explain, failure_lines, version_lines

SOURCE = "the pasted text"  #: the name the page gives the input, in its closing line
ENTRIES, _ = scan(REPO)

REAL_FAILURES = textwrap.dedent('''\
    import asyncio
    from unittest.mock import Mock


    def test_nested_asyncio_run():
        async def outer():
            inner = asyncio.sleep(0)
            try:
                asyncio.run(inner)  # a loop already runs in this thread
            finally:
                inner.close()

        asyncio.run(outer())


    def test_await_a_mock():
        async def subscribe(client):
            await client.subscribe("prices")

        asyncio.run(subscribe(Mock()))


    def test_unrelated():
        assert [1, 2] == [1, 3]
''')


@pytest.fixture(scope="module")
def real_logs(tmp_path_factory) -> dict[str, tuple[str, str | None]]:
    """``name -> (text, entry expected first or None)``: real pytest runs of real failures."""
    work = tmp_path_factory.mktemp("real")
    (work / "test_real.py").write_text(REAL_FAILURES, encoding="utf-8")
    logs = {}
    for name, args, expected in (
            ("nested-run.auto", ["-k", "nested"], "sync-async-boundary"),
            ("await-mock.short", ["-k", "mock", "--tb=short"], "mock-misconfiguration"),
            ("unrelated.auto", ["-k", "unrelated"], None),
            ("nested-run.junit", ["-k", "nested", "--junitxml=all.xml", "-q"], "sync-async-boundary")):
        proc = subprocess.run([sys.executable, "-m", "pytest", "test_real.py", "-p", "no:cacheprovider",
                               "--color=no", *args], cwd=work, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})  # plain pytest
        assert proc.returncode == 1, proc.stdout + proc.stderr
        text = (work / "all.xml").read_text(encoding="utf-8") if name.endswith("junit") else proc.stdout
        logs[name] = (text, expected)
    return logs


def combined_texts() -> dict[str, tuple[str, str | None]]:
    """Two entries' captures in one log, one of them as plain tracebacks, and a capture cut
    before its exception line (its frames are the evidence)."""
    def read(path):
        return (REPO / "corpus" / path).read_text(encoding="utf-8")

    native = read("live-server-testcase/captured/lts/in_memory_refused.native.txt")
    return {
        "two-logs": (read("mock-misconfiguration/captured/pins/mock.auto.txt")
                     + read("live-server-testcase/captured/pins/in_memory_refused.auto.txt"), "live-server-testcase"),
        "two-scripts": (read("mock-misconfiguration/captured/pins/forgot.script.txt") + "\n"
                        + read("live-server-testcase/captured/pins/no_daphne.script.txt"), "live-server-testcase"),
        "cut-native": (native[: native.index("django.core.exceptions.ImproperlyConfigured")], None),
    }


#: frames-only evidence in the browser: a knowledge base of one entry with a frames-only
#: signature and a note (tests/test_triage.py's frames_only_kb), triaged in the page
FRAMES_ONLY = """((data, texts) => {
  const engine = KBTriage.compile(data);
  return texts.map(text => {
    const result = engine.triage(text, 'the pasted text');
    return {evidence: result.ranked.map(m => engine.explain(engine.best(m)).join('\\n')),
            versions: engine.versionLines(result).join('\\n') || null};
  });
})(%s, %s)"""


def frames_only_cases(root: Path) -> tuple[dict, list[str], list[dict]]:
    """``(embedded data, texts, what kb triage prints)`` for a knowledge base whose one entry
    matches the texts by frames alone (the first two) or by its cause's message (the last)."""
    from test_triage import frames_only_kb

    auto = (REPO / "corpus/live-server-testcase/captured/pins/in_memory_refused.auto.txt").read_text(encoding="utf-8")
    texts = [auto, combined_texts()["cut-native"][0], auto]
    datas, expected = [], []
    for i, text in enumerate(texts):
        entries = frames_only_kb(root / str(i), cause="can not be used with in memory" if i == 2 else "NoSuchCause")
        report = triage(text, entries, SOURCE)
        datas.append(json.loads(json.dumps(data(entries))))
        expected.append({"evidence": ["\n".join(explain(max(ms, key=lambda m: m.score))) for ms in report.matches.values()],
                         "versions": "\n".join(version_lines(report)) or None})
    return datas, texts, expected


def corpus_texts() -> dict[str, tuple[str, str | None]]:
    found = {}
    for entry in ENTRIES:
        for path, text in texts(REPO, entry.id):
            found[str(path.relative_to(REPO))] = (text, entry.id)
    for path, text in texts(REPO, "_negative"):
        found[str(path.relative_to(REPO))] = (text, None)
    return found


def expected_page(text: str) -> dict:
    """What the page must show for ``text``: kb triage's ranking, evidence and closing line."""
    report = triage(text, ENTRIES, SOURCE)
    shown = []
    for matches in report.matches.values():
        best = max(matches, key=lambda m: m.score)
        places = [m.where for m in matches]
        more = f" (and {len(places) - 3} more)" if len(places) > 3 else ""
        shown.append({"id": best.entry_id, "evidence": "\n".join(explain(best)),
                      "places": f"  in:       {', '.join(places[:3])}{more}"})
    lines = {"answer": "\n".join(answer_lines(report)) or None,
             "failures": "\n".join(failure_lines(report)) or None,
             "versions": "\n".join(version_lines(report)) or None}
    n = len(report.matches)
    closing = (f"{n} known issue{'s' * (n != 1)} matched in {SOURCE}" + (", strongest evidence first" if n > 1 else "")
               if n else f"no known issue matches {SOURCE} ({report.failures} failure report"
                         f"{'s' * (report.failures != 1)} looked at)")
    return {"matches": shown, "closing": closing, **lines}


#: what the page lists: each match's entry, evidence and places, and the closing line
READ = """(() => ({
  matches: [...document.querySelectorAll('#verdict .match')].map(li => ({
    id: li.dataset.id, evidence: li.querySelector('.evidence').textContent,
    places: li.querySelector('.places').textContent})),
  closing: document.querySelector('#verdict .triage-summary')?.textContent,
  answer: (document.querySelector('#verdict .answer') || {}).textContent || null,
  failures: (document.querySelector('#verdict .failures') || {}).textContent || null,
  versions: (document.querySelector('#verdict .versions') || {}).textContent || null,
}))()"""


#: texts pasted per round trip to the page
BATCH = 100


def paste_all(texts: list[str]) -> str:
    """JavaScript: put each text in the box as a paste does (value, input event), read the page."""
    return f"""({json.dumps(texts)}).map(text => {{
      const box = document.getElementById('log');
      box.value = text;
      box.dispatchEvent(new Event('input'));
      return {READ};
    }})"""


NORMALISE_ALL = """
(texts => { const engine = KBTriage.compile(JSON.parse(document.getElementById('kb-triage').textContent));
            return texts.map(t => engine.normalise(t)); })(%s)
"""
NOTES_ALL = """
(cases => { const engine = KBTriage.compile(JSON.parse(document.getElementById('kb-triage').textContent));
            return cases.map(c => engine.noteHolds(c.note, c.seen)); })(%s)
"""
#: requirements as notes may state them (the entries' own first), against versions as logs show them
WHEN = ("channels==4.3.0", "channels>=4.0,<4.3", "channels~=4.2", "channels~=4.2.1", "channels==4.*",
        "channels!=4.3.*", "python<3.10", "python>3.11", "channels<=4.3")
VERSIONS = (("channels", "4.3.0", "plugins"), ("channels", "4.3", "tox"), ("channels", "4.2.9", "path"),
            ("channels", "4", "tox"), ("channels", "5.0", "plugins"), ("python", "3.9", "path"),
            ("python", "3.11.7", "platform"), ("python", "3.12", "tox"))


def note_cases() -> list[dict]:
    from kb.browser import _requirement
    from kb.logversions import Note, Seen
    from kb.triage import entry_notes

    notes = [n for e in ENTRIES for n in entry_notes(e)] + [Note((w,), "t", "https://x.org") for w in WHEN]
    return [{"note": {"requires": [_requirement(w) for w in note.when]},
             "seen": [{"name": n, "version": v, "from": f}], "python": note.holds([Seen(n, v, f)])}
            for note in notes for n, v, f in VERSIONS]


#: forms the corpus (captured on Linux, one Python) does not show: other paths, colours, addresses
NORMALISE_CASES = [
    "E       RuntimeError: x\r\nE   \n>       assert connected   \n\tE",
    r'  File "C:\Users\me\proj\.venv\Lib\site-packages\asgiref\testing.py", line 94, in send_input',
    r"C:\Python311\Lib\asyncio\base_events.py:653: in run_until_complete",
    r"tests\test_rooms.py:12: RuntimeError and a\b and C:\x",
    "../../.venv/lib/python3.12/site-packages/channels_redis/core.py:277: in receive",
    '  File "/usr/lib/python3/dist-packages/asgiref/testing.py", line 94, in send_input',
    '("/x/lib/python3.11/asyncio/tasks.py", [/y/site-packages/a.py <z/dist-packages/b.py',
    "<asyncio.locks.Event object at 0x7f3a2b1c4d90 [unset]> 0xABC 0x12345",
    "concurrent.futures._base.CancelledError concurrent.futures._base.TimeoutError $1 \\1",
    "\x1b[31mE       \x1b[0m\x1b[31mRuntimeError\x1b[39m: x \x1b]0;title\x07 #x1B[0;31mY#x1B[0m",
    "FAILED tests/test_x.py::test_y - RuntimeError: x",
    "ünïcode ✓\u00a0\U0001F600 " + "x" * 300,  # U+2028/2029: see triage.js's header
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from kb.site import render

    return render(REPO, tmp_path_factory.mktemp("build")).parent


def test_the_index_embeds_every_usable_signature_and_kb_triages_patterns(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    start = html.index('<script type="application/json" id="kb-triage">') + len(
        '<script type="application/json" id="kb-triage">')
    embedded = json.loads(html[start: html.index("</script>", start)])
    assert embedded == json.loads(json.dumps(data(ENTRIES)))
    assert [e["id"] for e in embedded["entries"]] == [e.id for e in ENTRIES]
    assert all(e["signatures"] for e in embedded["entries"]), "an entry with no usable signature"
    assert (site / "triage.js").is_file()


def test_script_json_cannot_close_the_script_element():
    text = script_json({"pattern": "</script><b>&"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"pattern": "</script><b>&"}


COMPILE_ALL = """(() => {
  const data = JSON.parse(document.getElementById('kb-triage').textContent);
  const patterns = data.entries.flatMap(e => e.signatures.flatMap(s => [...s.all, ...s.any, ...s.not, ...s.frames.flat()]))
    .concat(data.normalise.map(r => r[0]),
            [data.ansi, data.windowsRelative, data.section, data.banner, data.summary, data.unittest,
             data.frame, data.traceback, data.chained], Object.values(data.versions));
  const failed = [];
  for (const p of patterns) {
    try { new RegExp(p, 'm'); } catch (e) { failed.push(p + ': ' + e.message); }
  }
  return {checked: patterns.length, failed: failed};
})()"""


async def paste_in_chromium(site: Path, profile: Path, cases: dict, typed: str, own=None) -> dict:
    """Open the index in Chromium, paste ``typed`` with the keyboard, then every case's text:
    ``name -> what the page lists``; also ``"<typed>"`` (the typed paste), ``"<compiled>"``
    (every pattern compiled as a JavaScript RegExp) and ``"<normalised>"`` (NORMALISE_CASES)."""
    names = list(cases)
    async with chromium(profile) as page:
        await page.goto((site / "index.html").as_uri())
        await page.js("document.getElementById('log').focus()")
        await page.send("Input.insertText", text=typed)  # what a paste inserts, at the caret
        results = {"<typed>": await page.js(READ), "<compiled>": await page.js(COMPILE_ALL)}
        shown = []
        for at in range(0, len(names), BATCH):  # each reply within the page's 30 s, however loaded
            shown += await page.js(paste_all([cases[n][0] for n in names[at: at + BATCH]]))
        results["<normalised>"] = await page.js(NORMALISE_ALL % json.dumps(NORMALISE_CASES))
        results["<notes>"] = await page.js(NOTES_ALL % json.dumps(note_cases()))
        if own is not None:  # each text with its own knowledge base's data
            results["<frames-only>"] = [(await page.js(FRAMES_ONLY % (json.dumps(d), json.dumps([t]))))[0]
                                        for d, t in zip(own[0], own[1], strict=True)]
    results.update(zip(names, shown, strict=True))
    return results


@pytest.fixture(scope="module")
def pasted(site, real_logs, tmp_path_factory) -> tuple[dict, dict]:
    """``(cases, page results)``: every corpus text and real log, pasted in one Chromium."""
    import asyncio

    cases = {**corpus_texts(), **real_logs, **combined_texts()}
    started = time.perf_counter()
    own = frames_only_cases(tmp_path_factory.mktemp("frames-only"))
    results = asyncio.run(paste_in_chromium(site, tmp_path_factory.mktemp("profile"), cases,
                                            real_logs["nested-run.auto"][0], own))
    results["<frames-only expected>"] = own[2]
    print(f"{len(cases)} texts pasted in Chromium in {time.perf_counter() - started:.1f} s")
    return cases, results


def first(result: dict) -> str | None:
    return result["matches"][0]["id"] if result["matches"] else None


def answer(result: dict) -> tuple:
    """What the page answers: "ambiguous: A or B - ..." names A and B, else the first entry."""
    if result["answer"]:
        return tuple(result["answer"].removeprefix("ambiguous: ").split(" - ", 1)[0].split(" or "))
    return (first(result),) if result["matches"] else ()


@browser_only
@pytest.mark.browser
def test_in_a_browser_every_signature_compiles(pasted):
    embedded = data(ENTRIES)
    patterns = [p for e in embedded["entries"] for s in e["signatures"] for key in ("all", "any", "not")
                for p in s[key]]
    frames = [p for e in embedded["entries"] for s in e["signatures"] for f in s["frames"] for p in f]
    assert patterns, "no signature to check"  # frames: also compiled by the frames-only test
    compiled = pasted[1]["<compiled>"]
    assert compiled["failed"] == []
    assert compiled["checked"] == len(patterns) + len(frames) + len(embedded["normalise"]) + 9 + len(embedded["versions"])


@browser_only
@pytest.mark.browser
def test_in_a_browser_the_page_lists_what_kb_triage_prints(pasted):
    cases, results = pasted
    differ = {name: {"page": results[name], "kb triage": expected_page(text)}
              for name, (text, _) in cases.items() if results[name] != expected_page(text)}
    assert differ == {}
    assert results["<typed>"] == expected_page(cases["nested-run.auto"][0])


@browser_only
@pytest.mark.browser
def test_in_a_browser_normalise_reads_text_as_kb_triage_does(pasted):
    _, results = pasted
    assert dict(zip(NORMALISE_CASES, results["<normalised>"], strict=True)) == {
        text: normalise(text) for text in NORMALISE_CASES}


@browser_only
@pytest.mark.browser
def test_in_a_browser_real_failures_name_their_entry_first_and_others_none(pasted, real_logs):
    _, results = pasted
    assert first(results["<typed>"]) == "sync-async-boundary"
    assert {name: first(results[name]) for name in real_logs} == {
        name: expected for name, (_, expected) in real_logs.items()}
    assert results["unrelated.auto"]["closing"] == "no known issue matches the pasted text (1 failure report looked at)"


@browser_only
@pytest.mark.browser
def test_in_a_browser_each_corpus_text_names_its_entry_first_and_negative_texts_none(pasted):
    cases, results = pasted
    corpus = {name: expected for name, (_, expected) in cases.items() if name.startswith("corpus/")}
    assert any(expected is None for expected in corpus.values()), "no negative corpus"
    listed = {name: answer(results[name]) for name in corpus}
    # as kb lint: a --tb=no capture (the summary line alone) may name no entry, never a wrong one;
    # one listed in its no-evidence.txt as "triages to <id>" names exactly that entry, and one
    # listed as "ambiguous with <id>" answers "ambiguous: <its entry> or <id>"
    checked = {name: (expected,) if expected else () for name, expected in corpus.items()
               if not (not listed[name] and summary_only(REPO / name))
               and not (len(listed[name]) == 1 and listed_for(REPO / name, listed[name][0]))
               and not (expected in listed[name] and listed_ambiguous(REPO / name, expected, listed[name]))}
    assert {name: listed[name] for name in checked} == checked
    assert any(len(a) > 1 for a in listed.values()), "no corpus text answers 'ambiguous' in the page"


@browser_only
@pytest.mark.browser
def test_in_a_browser_each_failing_test_gets_its_own_entry_and_a_cut_paste_is_read_by_its_frames(pasted):
    _, results = pasted
    assert results["two-logs"]["failures"].splitlines()[1:] == [
        "  test_mock.py::test_a: mock-misconfiguration (strong, mock-awaited)",
        "  test_mock.py::test_b: mock-misconfiguration (strong, mock-awaited)",
        "  test_in_memory_refused.py::MatchOverLiveServer::test_a_user_joins_a_match: "
        "live-server-testcase (strong, in-memory-refused)"]
    assert results["two-logs"]["versions"].startswith("versions read: python 3.11.7, pytest 9.2.0, pluggy ")
    assert first(results["cut-native"]) is None  # a set-up frame alone names no entry here


@browser_only
@pytest.mark.browser
def test_in_a_browser_frames_only_evidence_is_worded_as_such_and_brings_no_note(pasted):
    _, results = pasted
    shown, expected = results["<frames-only>"], results["<frames-only expected>"]
    assert shown == expected
    assert "only frames matched, no message" in shown[0]["evidence"][0]
    assert "only frames matched, no message" in shown[1]["evidence"][0]
    assert "note (" not in (shown[0]["versions"] or "")
    assert "this message alone" in shown[2]["evidence"][0]
    assert "note (set-up-frame, python>=3): a note about the cause" in shown[2]["versions"]


@browser_only
@pytest.mark.browser
def test_in_a_browser_a_note_holds_for_the_versions_read_exactly_where_kb_triage_says(pasted):
    cases = note_cases()
    assert any(c["python"] for c in cases) and not all(c["python"] for c in cases)
    assert pasted[1]["<notes>"] == [c["python"] for c in cases]
