"""The whole matrix sharded over CI machines as .github/workflows/ci.yml defines it: an estimate
from measured per-entry times, not a run.

Input: a ``matrix.json`` that ``kb matrix`` wrote (``KB_BENCH_MATRIX``, default
build/matrix.json): per set, each entry's notebook and guard seconds. An entry the file has no
seconds for takes its ``versions/durations.json`` weight (say which in ``filled``). Each job
(one set, one shard of ``kb.shard``) runs its notebooks and guard files two at a time (``-n 2``,
in entry order, each to the first free worker) after its set's install and the job's set-up
(``JOB_SETUP_S``: checkout, interpreters, ``make .venv/.installed``: an assumption, not measured
on GitHub's machines); the jobs start in the workflow's order on ``MACHINES`` machines, each on
the first one free. The estimate is the last job's end, and it is only as good as the load the
input was measured under.
"""

import json
import os
import re
from pathlib import Path

from kb import shard

SECTION = "matrix-estimate"
REPO = Path(__file__).resolve().parent.parent
MACHINES = 6
JOB_SETUP_S = 150.0
DEFAULT_INSTALL_S = 30.0
TARGET_S = 15 * 60


def workflow_jobs(path: Path = REPO / ".github" / "workflows" / "ci.yml") -> tuple[list[tuple], int]:
    """([(set, shard, shards), ...] in the workflow's order, max-parallel) from the workflow."""
    text = path.read_text(encoding="utf-8")
    jobs = [(name, int(k), int(n)) for name, k, n in
            re.findall(r"- \{set: ([\w.-]+), shard: (\d+), shards: (\d+)\}", text)]
    parallel = re.search(r"^\s+max-parallel: (\d+)", text, re.M)
    return jobs, int(parallel.group(1)) if parallel else MACHINES


def run() -> dict:
    source = Path(os.environ.get("KB_BENCH_MATRIX", REPO / "build" / "matrix.json"))
    if not source.exists():
        return {"source": str(source), "skipped": "no such file: run `kb matrix` first"}
    data = json.loads(source.read_text(encoding="utf-8"))
    by_set = {s["name"]: s for s in data["sets"]}
    weights = shard.load_weights(REPO)
    shape, machines = workflow_jobs()
    entries = sorted(weights)
    jobs, filled = [], set()
    for name, k, n in shape:
        record = by_set.get(name, {})
        tasks = []
        for entry in shard.split(entries, n, weights)[k - 1]:
            kinds = record.get("entries", {}).get(entry, {})
            nb, guard = ((kinds.get(kind) or {}).get("seconds") for kind in ("notebook", "guard"))
            if nb is None or guard is None:
                filled.add(f"{name}/{entry}")
                nb, guard = weights[entry], 0.0  # the weight counts notebook and guard together
            tasks += [nb, guard]
        install = record.get("install_seconds") or DEFAULT_INSTALL_S
        runs = two_at_a_time(tasks)
        jobs.append({"job": f"{name} {k}/{n}", "runs_s": round(runs, 1),
                     "seconds": round(JOB_SETUP_S + install + runs, 1)})
    free = [0.0] * machines
    for job in jobs:
        i = min(range(machines), key=lambda m: free[m])
        job["start_s"] = round(free[i], 1)
        free[i] += job["seconds"]
    wall = max(free)
    return {"source": str(source), "machines": machines, "jobs": jobs, "job_setup_s": JOB_SETUP_S,
            "filled_from_durations": sorted(filled), "estimate_s": round(wall, 1), "target_s": TARGET_S,
            "serial_s": round(sum(j["seconds"] for j in jobs), 1)}


def two_at_a_time(tasks: list[float], workers: int = 2) -> float:
    free = [0.0] * workers
    for seconds in tasks:
        i = min(range(workers), key=lambda w: free[w])
        free[i] += seconds
    return max(free)


def report(result: dict) -> str:
    if "skipped" in result:
        return f"matrix estimate: {result['source']}: {result['skipped']}"
    lines = [f"matrix estimate: {len(result['jobs'])} jobs of .github/workflows/ci.yml on "
             f"{result['machines']} machines, from {result['source']} (as loaded as its run was)",
             f"  {'job':<18}{'start s':>9}{'runs s':>9}{'job s':>9}"]
    lines += [f"  {j['job']:<18}{j['start_s']:>9.0f}{j['runs_s']:>9.0f}{j['seconds']:>9.0f}"
              for j in result["jobs"]]
    met = "met" if result["estimate_s"] <= result["target_s"] else "missed"
    lines.append(f"  estimate {result['estimate_s'] / 60:.1f} min (target {result['target_s'] / 60:.0f} min: "
                 f"{met}); all jobs one after another {result['serial_s'] / 60:.1f} min; job set-up "
                 f"assumed {result['job_setup_s']:.0f} s")
    if result["filled_from_durations"]:
        lines.append(f"  {len(result['filled_from_durations'])} set/entry time(s) taken from "
                     "versions/durations.json (no seconds in the input)")
    return "\n".join(lines)
