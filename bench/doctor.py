"""`kb doctor`: recall and false positives per rule on the corpus, and how fast it scans
1,000 generated test files (the target is 2 s or less).

Recall: a scenario of `corpus/<id>/scenarios/` counts as statically visible unless
`corpus/<id>/doctor.txt` lists it; it is found when a rule of its entry flags it. False
positives: findings of any rule on the fixed variants (`corpus/<id>/fixed/`) and on the negative
scenarios (`corpus/_negative/scenarios/`). Speed: 1,000 test modules shaped like a Channels
project's (fixtures, communicators, consumers, routes; one in ten holds a trap), scanned in
process (a fresh project each run) and end to end (`python -m kb doctor DIR`).
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from kb import REPO
from kb.corpus import NEGATIVE
from kb.doctor import engine
from kb.doctor.project import Project
from kb.lint_doctor import findings_in, project_for, reasons

SECTION = "doctor"
FILES = 1000
REPEAT = 3

MODULE = '''\
"""Generated test module {n}."""

import pytest
import pytest_asyncio
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.urls import path, re_path

ORIGIN = [(b"origin", b"http://localhost")]


class RoomConsumer{n}(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.channel_layer.group_add("room-{n}", self.channel_name)
        await self.accept()

    async def receive_json(self, content, **kwargs):
        await self.send_json({{"echo": content, "n": {n}}})

    async def disconnect(self, code):
        await self.channel_layer.group_discard("room-{n}", self.channel_name)


ROUTES = [
    path("ws/room/<str:name>/", RoomConsumer{n}.as_asgi()),
    re_path(r"^ws/legacy/(?P<name>[\\w-]+)/$", RoomConsumer{n}.as_asgi()),
]


@pytest.fixture
def application():
    return URLRouter(ROUTES)


@pytest_asyncio.fixture
async def connected(application):
    communicator = WebsocketCommunicator(application, "/ws/room/r{n}/", headers=ORIGIN)
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    yield communicator
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_echo_{n}(connected):
    await connected.send_json_to({{"type": "ping", "n": {n}}})
    assert await connected.receive_json_from(timeout=5) == {{"echo": {{"type": "ping", "n": {n}}}, "n": {n}}}


@pytest.mark.asyncio
@pytest.mark.parametrize("name", ["a", "b", "c"])
async def test_rooms_{n}(application, name):
    communicator = WebsocketCommunicator(application, f"/ws/room/{{name}}/", headers=ORIGIN)
    try:
        assert await communicator.connect(timeout=5) == (True, None)
    finally:
        await communicator.disconnect()
{trap}'''
TRAP = '''

@pytest.mark.asyncio
async def test_trap_{n}(application):
    import asyncio

    assert asyncio.run(asyncio.sleep(0, result=1)) == 1
'''


def corpus_quality() -> dict:
    rules = engine.all_rules()
    per_rule = {r.code: {"entry": r.entry, "scenarios_flagged": 0, "false_positives": 0} for r in rules}
    per_entry = {}
    for folder in sorted(p for p in (REPO / "corpus").iterdir() if p.is_dir() and not p.name.startswith("_")):
        scenarios = sorted((folder / "scenarios").glob("*.py"))
        if not scenarios:
            continue
        listed, _ = reasons(folder / "doctor.txt")
        project = project_for(REPO, [folder / "scenarios", folder / "fixed"])
        visible = found = 0
        for scenario in scenarios:
            own = {f.code for f in findings_in(project, scenario, rules) if f.entry == folder.name}
            for code in own:
                per_rule[code]["scenarios_flagged"] += 1
            if scenario.name not in listed:
                visible += 1
                found += bool(own)
        fixed = sorted((folder / "fixed").glob("*.py"))
        for path in fixed:
            for f in findings_in(project, path, rules):
                per_rule[f.code]["false_positives"] += 1
        per_entry[folder.name] = {"scenarios": len(scenarios), "visible": visible, "found": found,
                                  "not_visible": len(listed), "fixed_variants": len(fixed)}
    negative = REPO / "corpus" / NEGATIVE / "scenarios"
    project = project_for(REPO, [negative])
    for path in sorted(negative.glob("*.py")):
        for f in findings_in(project, path, rules):
            per_rule[f.code]["false_positives"] += 1
    return {"rules": per_rule, "entries": per_entry, "negative_scenarios": len(list(negative.glob("*.py")))}


def generate(folder: Path, count: int = FILES) -> list[Path]:
    (folder / "pyproject.toml").write_text("[project]\nname = 'generated'\n", encoding="utf-8")
    tests = folder / "tests"
    tests.mkdir()
    for n in range(count):
        (tests / f"test_room_{n}.py").write_text(MODULE.format(n=n, trap=TRAP.format(n=n) if n % 10 == 0 else ""),
                                                  encoding="utf-8")
    return [tests]


def run() -> dict:
    result = {"corpus": corpus_quality(), "files": FILES}
    with tempfile.TemporaryDirectory() as tmp:
        paths = generate(Path(tmp))
        lines = sum(len(p.read_text().splitlines()) for p in paths[0].glob("*.py"))
        times, cpu, counts = [], [], Counter()
        for _ in range(REPEAT):
            started, started_cpu = time.perf_counter(), time.process_time()
            findings = engine.scan(paths, versions={}, project=Project([Path(tmp)]))
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            counts = Counter(f.code for f in findings)
        cli = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "kb", "doctor", "tests"], cwd=tmp, capture_output=True,
                           timeout=120, check=False)
            cli.append(time.perf_counter() - started)
    result["scan"] = {"lines": lines, "median_s": round(statistics.median(times), 3), "max_s": round(max(times), 3),
                      "cpu_median_s": round(statistics.median(cpu), 3), "findings": dict(counts)}
    result["load_average"] = os.getloadavg()[0]
    result["cli"] = {"median_s": round(statistics.median(cli), 3), "max_s": round(max(cli), 3)}
    return result


def report(r: dict) -> str:
    c = r["corpus"]
    visible = sum(e["visible"] for e in c["entries"].values())
    found = sum(e["found"] for e in c["entries"].values())
    lines = [f"kb doctor on the corpus: {found}/{visible} statically visible scenarios found "
             f"({sum(e['not_visible'] for e in c['entries'].values())} listed as not visible, with reasons); "
             f"false positives on {sum(e['fixed_variants'] for e in c['entries'].values())} fixed variants and "
             f"{c['negative_scenarios']} negative scenarios: "
             f"{sum(x['false_positives'] for x in c['rules'].values())}",
             "  per rule: scenarios flagged / false positives"]
    for code, x in c["rules"].items():
        lines.append(f"    {code} {x['entry']:<24} {x['scenarios_flagged']:>3} / {x['false_positives']}")
    lines.append(f"scan of {r['files']} generated test files ({r['scan']['lines']} lines; {REPEAT} runs; "
                 f"target <= 2 s): in process median {r['scan']['median_s']} s (max {r['scan']['max_s']} s; "
                 f"CPU {r['scan']['cpu_median_s']} s), python -m kb doctor median {r['cli']['median_s']} s; "
                 f"findings {r['scan']['findings']}; load average {r['load_average']:.1f}")
    return "\n".join(lines)
