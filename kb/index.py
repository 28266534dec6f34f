"""List the entries: id, title and symptoms, one row per entry.

Every layer is listed (`kb.roots`: the shipped knowledge, then $KB_PATH and the project's
`[tool.kb]` roots; or each --root); with more than one, a LAYER column names where each entry
comes from (`shipped` or the project root's path).

Exit status: 0 listed, 1 no entry found (a one-line reason on stderr), 2 when a knowledge
base folder does not exist, `[tool.kb]` is malformed or an id is defined in two layers. Write-ups that cannot be read are named on stderr and skipped
(`kb lint` explains them).
"""

import sys
import textwrap

from . import roots, table


def add_arguments(parser) -> None:
    roots.add_root_argument(parser)


def run(args) -> int:
    try:
        layers = roots.layers(args.root)
        missing = [la for la in layers if not la.path.is_dir() and (args.root or la.shipped)]
        if missing:
            print(f"kb list: {missing[0].path} is not a folder (give --root or set KB_ROOT)",
                  file=sys.stderr)
            return 2
        entries, errors = roots.scan(layers)
    except roots.RootError as exc:
        return roots.fail("list", exc)
    for error in errors:
        print(f"kb list: skipped {error}", file=sys.stderr)
    if not entries:
        where = " or ".join(str(la.path / "context") for la in layers)
        print(f"kb list: no entries: {where} holds no readable write-up "
              f"(<id>.md); give --root or set KB_ROOT", file=sys.stderr)
        return 1
    layered = len(layers) > 1
    rows = [[e.id, *([e.layer] if layered else []), textwrap.fill(str(e.title), 44),
             "\n".join(f"- {s}" for s in _lines(e.symptoms))] for e in entries]
    print(table.render(["ID", *(["LAYER"] if layered else []), "TITLE", "SYMPTOMS"], rows))
    counts = ", ".join(f"{sum(e.layer == la.label for e in entries)} {la.label}" for la in layers) \
        if layered else ""
    print(f"\n{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}" + (f" ({counts})" if counts else ""))
    return 0


def _lines(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]
