"""The real-server scenario suite, timed: ``python -m bench realserver``.

Runs the eight scenarios of ``tests/test_scenarios.py`` outside pytest, one after the other,
against what their fixture gives them: one ``redis-server`` and two Daphne processes sharing
it as channel layer. ``total_s`` is the wall time from nothing running to the last scenario
done: database set-up, Redis and Daphne start-up, the scenarios (the incident's 42.6 s for its
eight tests likewise counted its ~5 s of start-up, and listed its clean-up apart).
``wall_s`` adds shutting the servers down.
"""

import asyncio
import importlib.util
import inspect
import time
from pathlib import Path

SECTION = "realserver"
INCIDENT_S = 42.6
SUITE = Path(__file__).resolve().parent.parent / "tests" / "test_scenarios.py"


def load_scenarios() -> dict:
    """The suite's test functions by name (without ``test_``), in file order."""
    spec = importlib.util.spec_from_file_location("realserver_scenarios", SUITE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {
        name.removeprefix("test_"): fn
        for name, fn in vars(module).items()
        if name.startswith("test_") and inspect.iscoroutinefunction(fn)
    }


async def _run_all(scenarios: dict, servers: list) -> dict:
    from harness.client import room_code

    timings = {}
    for name, scenario in scenarios.items():
        started = time.perf_counter()
        await scenario(live_servers=servers, room=room_code(name))
        timings[name] = round(time.perf_counter() - started, 4)
    return timings


def run() -> dict:
    scenarios = load_scenarios()
    started = time.perf_counter()
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    from harness.fixtures import daphne_servers
    from harness.servers import redis_server

    db_done = time.perf_counter()
    with redis_server() as redis_url:
        redis_done = time.perf_counter()
        with daphne_servers(2, channel_layer="redis", redis_url=redis_url) as servers:
            up = time.perf_counter()
            timings = asyncio.run(_run_all(scenarios, servers))
            ran = time.perf_counter()
    finished = time.perf_counter()
    return {
        "total_s": round(ran - started, 3),
        "wall_s": round(finished - started, 3),
        "startup_s": round(up - db_done, 3),
        "scenarios": timings,
        "incident_s": INCIDENT_S,
        "db_setup_s": round(db_done - started, 3),
        "redis_startup_s": round(redis_done - db_done, 3),
        "daphne_startup_s": [round(s.startup_s, 3) for s in servers],
        "scenarios_s": round(ran - up, 3),
        "shutdown_s": round(finished - ran, 3),
    }


def report(result: dict) -> str:
    rows = [(name.replace("_", " "), f"{seconds:.3f}") for name, seconds in result["scenarios"].items()]
    daphnes = ", ".join(f"{s:.2f}" for s in result.get("daphne_startup_s", []))
    rows += [
        ("", ""),
        ("database set-up (migrate + seed users)", f"{result.get('db_setup_s', 0):.3f}"),
        (f"start-up: Redis + 2 Daphne in parallel ({daphnes})", f"{result['startup_s']:.3f}"),
        ("the eight scenarios", f"{result.get('scenarios_s', sum(result['scenarios'].values())):.3f}"),
        ("total: start-up + scenarios", f"{result['total_s']:.3f}"),
        ("shut-down (not in the total)", f"{result.get('shutdown_s', 0):.3f}"),
        ("incident (Docker Compose, eight tests)", f"{result['incident_s']:.1f}"),
    ]
    width = max(len(label) for label, _ in rows)
    lines = ["realserver: eight scenarios, two Daphne processes, one Redis", ""]
    lines += [f"  {label:<{width}}  {value:>8}" for label, value in rows]
    ratio = result["incident_s"] / result["total_s"]
    lines += ["", f"  {ratio:.1f}x faster than the incident ({result['incident_s']:.1f} s / "
              f"{result['total_s']:.2f} s); target: total <= 3 s"]
    return "\n".join(lines)
