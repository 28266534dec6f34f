"""A server left listening on a port, and the next server started on that port.

The first server stands for one an earlier, failed test started and never stopped; the second
is the next test's. Daphne's CRITICAL line arrives in ``ServerError``, left uncaught so its
native traceback is the capture (exit 1). Both servers are stopped on the way out.
"""

import sys


def main() -> int:
    from harness.bootstrap import bootstrap

    bootstrap("harness.settings.test")
    from harness.servers import daphne_server

    with daphne_server() as left_running:
        with daphne_server(port=left_running.port):
            pass
    return 0  # the second server started: the failure stopped reproducing


if __name__ == "__main__":
    sys.exit(main())
