"""The order `make test` hands its items to xdist's workers: the longest first, spread evenly.

``pytest -n N --dist worksteal`` gives worker *k* the *k*-th of N contiguous slices of the
collection (by count), then lets an idle worker steal the back half of the longest queue. In
collection order the 26 notebooks (10-80 s each) sit together at the end: the last slice held
most of them, the other workers stole them late, and a long notebook started last set the end
of the run (measured: the three workers finished at 314, 336 and 370 s).

Here each file (a test module or a notebook) is one unit, estimated from ``durations.json``
(seconds per unit, written by ``--record-durations`` from a real run). Units go, longest first,
to the slice with the least estimated work that still has room (a unit larger than the room
left is split at the slice's end), and within a slice the longest unit comes first. So every
worker starts on a long notebook, and what is stolen at the end is the short tests at the
slices' backs. A module's items stay together and in their order (module-scoped fixtures are
set up once per slice). Without xdist nothing is reordered.
"""

import json
from collections import defaultdict
from pathlib import Path

DURATIONS = Path(__file__).with_name("durations.json")
UNKNOWN_NOTEBOOK_S = 30.0  # a notebook not in durations.json yet (a new entry): treated as long
UNKNOWN_ITEM_S = 0.5  # a test item of a module not in durations.json


def unit_of(nodeid: str) -> str:
    """The file part of a node id: ``tests/test_x.py`` or ``notebooks/x.ipynb``."""
    return nodeid.split("::", 1)[0]


def estimates(path: Path = DURATIONS) -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def slice_sizes(count: int, workers: int) -> list[int]:
    """The slices xdist's WorkStealingScheduling hands out first (``len(pending) // nodes_left``)."""
    sizes, left = [], count
    for i in range(workers):
        size = left // (workers - i)
        sizes.append(size)
        left -= size
    return sizes


def arrange(nodeids: list[str], workers: int, known: dict[str, float]) -> list[str]:
    """``nodeids`` reordered for ``workers`` workers (see the module doc); the same set, each once."""
    units: dict[str, list[str]] = defaultdict(list)
    for nodeid in nodeids:
        units[unit_of(nodeid)].append(nodeid)

    def estimate(unit: str) -> float:
        if unit in known:
            return known[unit]
        return UNKNOWN_NOTEBOOK_S if unit.endswith(".ipynb") else UNKNOWN_ITEM_S * len(units[unit])

    room = slice_sizes(len(nodeids), workers)
    load = [0.0] * workers
    slices: list[list[tuple[float, list[str]]]] = [[] for _ in range(workers)]
    for unit in sorted(units, key=lambda u: (-estimate(u), u)):
        items, seconds = units[unit], estimate(unit)
        while items:
            k = min((k for k in range(workers) if room[k] > 0), key=lambda k: (load[k], k))
            part, items = items[:room[k]], items[room[k]:]
            share = seconds * len(part) / len(units[unit])
            slices[k].append((share, part))
            room[k] -= len(part)
            load[k] += share
    ordered = [nodeid for parts in slices for _, part in sorted(parts, key=lambda p: -p[0]) for nodeid in part]
    assert sorted(ordered) == sorted(nodeids)
    return ordered


def record(path: Path, seconds: dict[str, float]) -> None:
    """Write the seconds per unit (setup, call and teardown of its items, summed)."""
    path.write_text(json.dumps({k: round(v, 1) for k, v in sorted(seconds.items())}, indent=1) + "\n",
                    encoding="utf-8")
