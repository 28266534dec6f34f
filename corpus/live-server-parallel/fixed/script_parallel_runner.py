"""script_parallel_runner.py fixed: the live-server classes (tagged ``live``) run apart from the
parallel pool: ``--parallel 2 --exclude-tag live``, then ``--tag live`` serially."""

import subprocess
import sys

for argv in (["test", "live_suite", "--parallel", "2", "--exclude-tag", "live", "--noinput", "--settings", "live_settings"],
             ["test", "live_suite", "--tag", "live", "--noinput", "--settings", "live_settings"]):
    run = subprocess.run([sys.executable, "-m", "django", *argv], capture_output=True, text=True, timeout=240)
    print(run.stdout + run.stderr, end="")
    if run.returncode:
        sys.exit(run.returncode)
