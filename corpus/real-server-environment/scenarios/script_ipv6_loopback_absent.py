"""Daphne told to bind ::1 on a machine whose loopback has no IPv6 address (a CI container).

Re-runs itself inside a new network namespace (``unshare -n``, root) whose loopback is up with
IPv6 disabled: 127.0.0.1 exists, ::1 does not. There it binds ::1 with a plain socket and starts
Daphne on ::1 through the harness, printing both errors; exits 1 when both failed as expected,
2 (one line on stderr) when the namespace cannot be made.
"""

import os
import shutil
import socket
import subprocess
import sys

INSIDE = "--inside-namespace"


def outside() -> int:
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        print("needs root, unshare and ip to make a network namespace", file=sys.stderr)
        return 2
    setup = (
        "sysctl -q -w net.ipv6.conf.lo.disable_ipv6=1 && ip link set lo up && "
        f'exec "{sys.executable}" "{os.path.abspath(__file__)}" {INSIDE}'
    )
    return subprocess.run(["unshare", "-n", "sh", "-c", setup], timeout=120).returncode


def inside() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    from harness.servers import ServerError, daphne_server

    failures = 0
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError as exc:
        print(f"socket.bind(('::1', 0)): OSError: {exc}")
        failures += 1
    try:
        with daphne_server(host="::1"):
            pass
    except ServerError as exc:
        print(f"harness.servers.ServerError: {exc}", file=sys.stderr)
        failures += 1
    return 1 if failures == 2 else 0


if __name__ == "__main__":
    sys.exit(inside() if INSIDE in sys.argv else outside())
