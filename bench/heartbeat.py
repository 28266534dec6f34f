"""How long the five heartbeat scenarios (``tests/test_heartbeat.py``) take, next to the incident.

The scenarios run in a pytest subprocess, exactly as CI runs them. A scenario's time is its
test's ``call`` phase (connect, the scenario, disconnect), read from a JUnit XML report written
with ``junit_duration_report=call``; Django's set-up and imports are fixture set-up, reported
separately as the session's wall time. Seed 000 reported about 1.6 s for its five heartbeat
tests (down from 25 s and more); the target here is 0.5 s or less.
"""

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

SECTION = "heartbeat"
INCIDENT_S = 1.6
TARGET_S = 0.5
REPO = Path(__file__).resolve().parent.parent
MODULE = "tests/test_heartbeat.py"


def run_scenarios(interval: float | None = None, timeout: float | None = None) -> dict:
    """Run the scenarios once (their own defaults unless ``interval``/``timeout`` are given).

    Returns ``{"total_s", "scenarios": {name: seconds}, "session_s", "passed", "ticks": {name: n}}``
    (``ticks``: the heartbeat ticks the scenarios that wait for one recorded, from their own pings
    and close); raises
    ``RuntimeError`` with pytest's output when a scenario fails (a failed run has no timing).
    """
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if interval is not None:
        env["HEARTBEAT_TEST_INTERVAL"] = str(interval)
    if timeout is not None:
        env["HEARTBEAT_TEST_TIMEOUT"] = str(timeout)
    with tempfile.TemporaryDirectory(prefix="bench-heartbeat-") as folder:
        report = Path(folder) / "junit.xml"
        argv = [sys.executable, "-m", "pytest", MODULE, "-q", "-p", "no:cacheprovider", "--color=no",
                "-o", "junit_duration_report=call", f"--junitxml={report}"]
        started = time.perf_counter()
        proc = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        session_s = time.perf_counter() - started
        if proc.returncode != 0 or not report.exists():
            raise RuntimeError(f"{MODULE} failed:\n{proc.stdout}{proc.stderr}")
        cases = ET.parse(report).getroot().iter("testcase")
        scenarios, ticks = {}, {}
        for case in cases:
            name = case.get("name").removeprefix("test_")
            scenarios[name] = float(case.get("time"))
            for prop in case.iter("property"):  # record_property: the ticks a scenario waited for
                if prop.get("name") == "ticks":
                    ticks[name] = int(prop.get("value"))
    return {
        "total_s": round(sum(scenarios.values()), 3),
        "scenarios": {name: round(seconds, 3) for name, seconds in scenarios.items()},
        "session_s": round(session_s, 2),
        "passed": len(scenarios),
        "ticks": ticks,
    }


def run() -> dict:
    """The bench section: the scenarios at the values CI runs, and the incident's figure."""
    result = run_scenarios()
    return {
        "total_s": result["total_s"],
        "scenarios": result["scenarios"],
        "incident_s": INCIDENT_S,
        "target_s": TARGET_S,
        "session_s": result["session_s"],
    }


def report(result: dict) -> str:
    width = max(len(name) for name in result["scenarios"])
    lines = [f"heartbeat: five scenarios of {MODULE} (call phase of each test)"]
    lines += [f"  {name:<{width}}  {seconds:6.3f} s" for name, seconds in result["scenarios"].items()]
    total, incident = result["total_s"], result["incident_s"]
    lines.append(f"  {'total':<{width}}  {total:6.3f} s   (incident: {incident} s, {incident / total:.1f}x "
                 f"as long; target: <= {result['target_s']} s)")
    lines.append(f"  pytest session wall time, Django set-up included: {result['session_s']} s")
    return "\n".join(lines)
