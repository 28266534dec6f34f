"""Start-up of a live server for WebSocket tests, two ways: ``python -m bench liveserver``.

- ``channels``: what ``ChannelsLiveServerTestCase.setUpClass`` starts (channels 4.3): a
  ``daphne.testing.DaphneProcess`` with channels' application factory and database set-up, waited
  for the way the test case waits (``ready``, polled each second while the child lives), under
  ``fork`` (Linux's default up to Python 3.13) and ``spawn`` (macOS, Windows).
- ``harness``: ``harness.servers.daphne_server()``, ``python -m daphne`` as a subprocess, ready
  when Daphne logs that it listens.

Each start is timed from nothing running to ``ready`` and to the first WebSocket echo answered
(an Origin the test settings accept; no token, so no database query), then stopped; the
report gives the median of ``RUNS`` starts of each and the spread. The channels server is
started once per test class (once per test before channels 4.3), the harness's once per
session or module, as its fixtures choose.
"""

import asyncio
import multiprocessing
import statistics
import time
from functools import partial

SECTION = "liveserver"
RUNS = 5
TIMEOUT_S = 30.0


async def _first_echo(url: str) -> None:
    from harness.client import connect

    async with await connect(url, "/ws/echo/", timeout=TIMEOUT_S) as ws:
        await ws.send("ping")
        assert await asyncio.wait_for(ws.recv(), TIMEOUT_S) == "ping"


def start_channels_server(method: str) -> dict:
    """One ``ChannelsLiveServerTestCase``-style start with ``method``; seconds to ready, to echo."""
    from channels.testing.live import make_application, set_database_connection
    from daphne.testing import DaphneProcess

    previous = multiprocessing.get_start_method()
    multiprocessing.set_start_method(method, force=True)  # as a test suite chooses it
    started = time.perf_counter()
    try:
        process = DaphneProcess("localhost", partial(make_application, static_wrapper=None),
                                setup=set_database_connection)
        process.start()
    finally:
        multiprocessing.set_start_method(previous, force=True)
    try:
        while not process.ready.wait(timeout=1):  # as setUpClass waits
            if not process.is_alive() or time.perf_counter() - started > TIMEOUT_S:
                raise RuntimeError(f"DaphneProcess ({method}) did not start")
        ready = time.perf_counter()
        asyncio.run(_first_echo(f"ws://localhost:{process.port.value}"))
        echoed = time.perf_counter()
    finally:
        process.terminate()
        process.join(10)
    return {"ready_s": ready - started, "echo_s": echoed - started}


def start_harness_server() -> dict:
    """One ``daphne_server()`` start; seconds to ready (Daphne listening), to echo."""
    from harness.servers import daphne_server

    started = time.perf_counter()
    with daphne_server() as server:
        ready = time.perf_counter()
        asyncio.run(_first_echo(server.url))
        echoed = time.perf_counter()
    return {"ready_s": ready - started, "echo_s": echoed - started}


def _summary(samples: list[dict]) -> dict:
    return {
        key: {"median": round(statistics.median(s[key] for s in samples), 3),
              "min": round(min(s[key] for s in samples), 3),
              "max": round(max(s[key] for s in samples), 3)}
        for key in ("ready_s", "echo_s")
    } | {"runs": len(samples)}


def run() -> dict:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    from django.conf import settings

    # ChannelsLiveServerTestCase's set-up reads TEST.NAME; point it at the migrated database.
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = settings.DATABASES["default"]["NAME"]
    results = {}
    for name, start in (("channels_fork", partial(start_channels_server, "fork")),
                        ("channels_spawn", partial(start_channels_server, "spawn")),
                        ("harness", start_harness_server)):
        start()  # a first start warms imports and the file cache; not counted
        results[name] = _summary([start() for _ in range(RUNS)])
    return results


def report(result: dict) -> str:
    labels = {
        "channels_fork": "ChannelsLiveServerTestCase's DaphneProcess, fork",
        "channels_spawn": "ChannelsLiveServerTestCase's DaphneProcess, spawn",
        "harness": "harness daphne_server() (python -m daphne)",
    }
    width = max(len(label) for label in labels.values())
    lines = [f"liveserver: start-up to ready and to the first echo, median of {RUNS} (min-max), seconds", ""]
    lines.append(f"  {'':<{width}}  {'ready':>17}  {'first echo':>17}")
    for key, label in labels.items():
        row = result[key]
        cells = [f"{row[k]['median']:.3f} ({row[k]['min']:.2f}-{row[k]['max']:.2f})" for k in ("ready_s", "echo_s")]
        lines.append(f"  {label:<{width}}  {cells[0]:>17}  {cells[1]:>17}")
    return "\n".join(lines)
