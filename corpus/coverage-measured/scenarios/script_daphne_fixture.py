"""`coverage run -m pytest` over a live Daphne (started by a fixture): the tests pass, the
consumers run in the server's process, and coverage reports nothing. Exits with `coverage
report`'s status (1: no data)."""

import subprocess
import sys

run = subprocess.run(
    [sys.executable, "-m", "coverage", "run", "--source=harness.consumers,harness.middleware,harness.rooms,harness.ratelimit,harness.prices",
     "-m", "pytest", "live_echo.py",
     "-q", "-p", "no:cacheprovider", "-p", "no:django", "-p", "no:kb_known_issues"],
    capture_output=True, text=True, timeout=240,
)
print(run.stdout + run.stderr)
report = subprocess.run([sys.executable, "-m", "coverage", "report"], capture_output=True, text=True, timeout=60)
print(report.stdout + report.stderr)
sys.exit(report.returncode or 1)
