"""``kb`` command line (placeholder while the tooling issue is in progress)."""

import sys


def main(argv=None) -> int:
    print("kb: the tooling is not built yet", file=sys.stderr)
    return 2
