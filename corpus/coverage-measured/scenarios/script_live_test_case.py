"""`coverage run -m django test` over ChannelsLiveServerTestCase with coverage's defaults: the
test passes, Daphne runs in a multiprocessing child stopped with SIGTERM, and coverage reports
nothing of the consumers. Exits with `coverage report`'s status (1: no data)."""

import subprocess
import sys

run = subprocess.run(
    [sys.executable, "-m", "coverage", "run", "--source=harness.consumers", "-m", "django", "test",
     "live_case", "--settings=live_settings", "--noinput"],
    capture_output=True, text=True, timeout=240,
)
print(run.stdout + run.stderr)
report = subprocess.run([sys.executable, "-m", "coverage", "report"], capture_output=True, text=True, timeout=60)
print(report.stdout + report.stderr)
sys.exit(report.returncode or 1)
