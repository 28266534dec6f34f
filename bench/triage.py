"""How long `kb triage` takes on a 10 MB pytest log (the target is 2 s or less).

The log is synthetic but shaped like a real one: 60,000 progress lines of passing tests, then
thousands of unrelated failure reports (an assertion diff each), then one failure that a
knowledge-base entry knows. Two sets of signatures are measured: the repository's own
entries, and the same plus 60 synthetic signatures written the slow way (an optional group
or a `\\b` first, so the regex engine cannot skip ahead), as a knowledge base might grow.
Measured in-process (the `triage()` call) and end to end (`python -m kb triage FILE`).
"""

import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from kb import REPO
from kb.corpus import NEGATIVE, texts
from kb.entries import scan
from kb.triage import triage

SECTION = "triage"
SIZE = 10_000_000
REPEAT = 5

FAILURE = """\
____________________________ test_room_{n} ____________________________

    async def test_room_{n}(communicator):
        await communicator.send_json_to({{"type": "ready"}})
>       assert await communicator.receive_json_from(timeout=1) == {{"type": "state", "n": {n}}}
E       AssertionError: assert {{'type': 'state', 'n': {m}}} == {{'type': 'state', 'n': {n}}}
E         Differing items:
E         {{'n': {m}}} != {{'n': {n}}}

tests/test_rooms.py:{n}: AssertionError
"""
KNOWN = ("____________________________ test_two_consumers ____________________________\n\n"
         "E       RuntimeError: Two event loops are trying to receive() on one channel layer at once!\n\n")


def make_log(size: int = SIZE, summary: bool = False) -> str:
    """The log; with ``summary``, pytest ``-ra``'s ``FAILED id - message`` line for every failing
    test (and the final counts line), as CI logs have: one failure report per test, twice."""
    parts = ["============================= test session starts ==============================\n"]
    parts += [f"tests/test_rooms.py::test_ok_{i} PASSED{' ' * 30}[{i % 100:3d}%]\n" for i in range(60_000)]
    parts.append("=================================== FAILURES ===================================\n")
    total, n = sum(map(len, parts)), 0
    while total < size - len(KNOWN) - 200:
        parts.append(FAILURE.format(n=n, m=n + 1))
        total += len(parts[-1])
        n += 1
    parts.append(KNOWN)
    parts.append("=========================== short test summary info ============================\n")
    if summary:
        parts += [f"FAILED tests/test_rooms.py::test_room_{i} - AssertionError: assert {{'type': 'state', "
                  f"'n': {i + 1}}} == {{'type': 'state', 'n': {i}}}\n" for i in range(n)]
        parts.append(f"=========== {n + 1} failed, 60000 passed in 612.00s (0:10:12) ===========\n")
    return "".join(parts)


def slow_entries(entries, count: int = 60):
    """Synthetic entries whose signatures do not start with a literal."""
    template = entries[0] if entries else None
    if template is None:
        return []
    return [replace(template, id=f"synthetic-{i}", signatures=[
        {"name": "mock", "strength": "weak", "all": [rf"(?:Magic|Async)?Mock{i}\(\) was never awaited"]},
        {"name": "refused", "strength": "strong", "all": [rf"\bSyntheticError{i}\b: .* refused", r"\bin \w+$"]}])
        for i in range(count // 2)]


def timed(fn) -> list[float]:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def run() -> dict:
    entries, _ = scan(REPO)
    log = make_log()
    grown = entries + slow_entries(entries)
    result = {"log_bytes": len(log.encode()), "entries": len(entries),
              "signatures": sum(len(e.signatures) for e in entries)}
    for name, kb in (("repository", entries), ("grown", grown)):
        matched = triage(log, kb, "bench.log").matches
        times = timed(lambda kb=kb: triage(log, kb, "bench.log"))
        result[name] = {"signatures": sum(len(e.signatures) for e in kb), "matched": sorted(matched),
                        "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3)}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.log"
        path.write_text(log, encoding="utf-8")
        cli = timed(lambda: subprocess.run([sys.executable, "-m", "kb", "triage", str(path)],
                                           capture_output=True, timeout=60, check=False))
    result["cli"] = {"median_s": round(statistics.median(cli), 3), "max_s": round(max(cli), 3)}
    with_summary = make_log(summary=True)
    times = timed(lambda: triage(with_summary, entries, "bench.log"))
    result["summary_lines"] = {"log_bytes": len(with_summary.encode()), "median_s": round(statistics.median(times), 3),
                               "max_s": round(max(times), 3),
                               "reports": len(triage(with_summary, entries, "bench.log").reports)}
    plain = [re.compile(p, re.M) for e in grown for s in e.signatures if isinstance(s, dict)
             for p in s.get("all", [])]
    result["plain_re_search_grown_s"] = round(min(timed(lambda: [p.search(log) for p in plain])), 3)
    result["corpus"] = corpus_accuracy(entries)
    return result


def form_of(path: Path) -> str:
    """``auto``/``short``/.../``junit``/``django``/``script`` from a capture's name; ``reported``."""
    return "reported" if path.parent.name == "reported" else path.name.split(".")[-2]


def corpus_accuracy(entries) -> dict:
    """Per entry and per output form: texts triaged to the entry first / texts; and how many
    negative-corpus texts any entry claimed (target: 100% and 0)."""
    per_entry = {}
    for entry in entries:
        forms: dict[str, list[int]] = {}
        for path, text in texts(REPO, entry.id):
            first = next(iter(triage(text, entries, str(path)).matches), None)
            counts = forms.setdefault(form_of(path), [0, 0])
            counts[0] += first == entry.id
            counts[1] += 1
        per_entry[entry.id] = forms
    negative = texts(REPO, NEGATIVE)
    claimed = [str(p.relative_to(REPO)) for p, t in negative if triage(t, entries, str(p)).matched]
    return {"entries": per_entry, "negative_texts": len(negative), "negative_claimed": claimed}


def report(r: dict) -> str:
    return "\n".join([
        f"kb triage on a {r['log_bytes'] / 1e6:.1f} MB pytest log ({REPEAT} runs; target <= 2 s)",
        f"  repository entries ({r['repository']['signatures']} signatures): median {r['repository']['median_s']} s, "
        f"max {r['repository']['max_s']} s, matched {r['repository']['matched']}",
        f"  + slow synthetic ({r['grown']['signatures']} signatures): median {r['grown']['median_s']} s, "
        f"max {r['grown']['max_s']} s",
        f"  end to end, python -m kb triage FILE: median {r['cli']['median_s']} s, max {r['cli']['max_s']} s",
        f"  with -ra's FAILED line for each of its {r['summary_lines']['reports']} failing tests "
        f"({r['summary_lines']['log_bytes'] / 1e6:.1f} MB), repository entries: median "
        f"{r['summary_lines']['median_s']} s, max {r['summary_lines']['max_s']} s",
        f"  (plain re.search of the grown set, for comparison: {r['plain_re_search_grown_s']} s)",
        *corpus_report(r["corpus"]),
    ])


def corpus_report(c: dict) -> list[str]:
    forms = sorted({f for found in c["entries"].values() for f in found})
    lines = ["", "corpus texts triaged to their own entry first (target 100%), per output form:",
             "  " + "entry".ljust(26) + "".join(f.rjust(9) for f in forms) + "     all"]
    for entry_id, found in c["entries"].items():
        cells = [f"{found[f][0]}/{found[f][1]}" if f in found else "-" for f in forms]
        right, total = sum(v[0] for v in found.values()), sum(v[1] for v in found.values())
        share = f"{100 * right / total:.0f}%" if total else "none"
        lines.append("  " + entry_id.ljust(26) + "".join(x.rjust(9) for x in cells) + share.rjust(8))
    lines.append(f"negative corpus: {len(c['negative_claimed'])} of {c['negative_texts']} texts claimed "
                 "by an entry (target 0)" + "".join(f"\n  {p}" for p in c["negative_claimed"][:10]))
    return lines
