"""List the entries: id, title and symptoms, one row per entry.

The knowledge base is --root, else $KB_ROOT, else the source checkout `kb` runs from, else the
copy installed with the package.

Exit status: 0 listed, 1 no entry found (a one-line reason on stderr), 2 when the knowledge
base folder does not exist. Write-ups that cannot be read are named on stderr and skipped
(`kb lint` explains them).
"""

import sys
import textwrap
from pathlib import Path

from . import REPO, table
from .entries import scan


def add_arguments(parser) -> None:
    parser.add_argument("--root", type=Path, default=REPO,
                        help="the knowledge base (the folder holding context/ and notebooks/)")


def run(args) -> int:
    root = args.root
    if not root.is_dir():
        print(f"kb list: {root} is not a folder (give --root or set KB_ROOT)", file=sys.stderr)
        return 2
    entries, errors = scan(root)
    for error in errors:
        print(f"kb list: skipped {error}", file=sys.stderr)
    if not entries:
        print(f"kb list: no entries: {root / 'context'} holds no readable write-up "
              f"(<id>.md); give --root or set KB_ROOT", file=sys.stderr)
        return 1
    rows = [[e.id, textwrap.fill(str(e.title), 44), "\n".join(f"- {s}" for s in _lines(e.symptoms))]
            for e in entries]
    print(table.render(["ID", "TITLE", "SYMPTOMS"], rows))
    print(f"\n{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}")
    return 0


def _lines(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
