"""``manage.py test --parallel 2`` over ``live_suite``: the live-server classes run in Django's
pool workers, daemonic processes, which may not start the server process. Prints the runner's
output and exits with its status (non-zero: the capture is the failure)."""

import subprocess
import sys

run = subprocess.run(
    [sys.executable, "-m", "django", "test", "live_suite", "--parallel", "2", "--noinput",
     "--settings", "live_settings"],
    capture_output=True, text=True, timeout=240,
)
print(run.stdout + run.stderr, end="")
sys.exit(run.returncode)
