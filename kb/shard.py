"""``kb matrix --shard K/N``: which entries machine K of N runs.

The split is a pure function of the entry ids and ``versions/durations.json`` (entry ->
seconds one entry's notebook and guard took, measured; committed), so every CI job computes
the same split without talking to the others, and a run tomorrow gets the same split as
today's until that file or the entries change. Longest entries first, each to the shard with
the least time so far (ties: the lower shard); an entry the file does not list weighs the
median of those it does. The N shards are disjoint and together hold every entry.

CI runs one job per set and shard, each writing its own ``build/matrix.json``; a last job
folds them with ``kb matrix --merge FILE... --expect versions/expected.json`` and judges the
whole (``judge_merged``): the same verdict as one run over every entry.
"""

import json
import statistics
import sys
from pathlib import Path

from .versions import VersionsError


def parse(text: str) -> tuple[int, int]:
    """``"K/N"`` -> ``(K, N)``, 1 <= K <= N; a ``VersionsError`` (exit 2) otherwise."""
    try:
        k, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise VersionsError(f"--shard {text!r}: want K/N, e.g. 1/3") from None
    if not 1 <= k <= n:
        raise VersionsError(f"--shard {text!r}: want 1 <= K <= N")
    return k, n


def load_weights(root: Path) -> dict[str, float]:
    """``versions/durations.json``'s entry -> seconds (empty when there is no such file)."""
    path = root / "versions" / "durations.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise VersionsError(f"{path}: not JSON ({exc})") from None
    entries = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(entries, dict) or not all(
            isinstance(v, (int, float)) and v >= 0 for v in entries.values()):
        raise VersionsError(f"{path}: want {{\"entries\": {{entry: seconds}}}}")
    return {k: float(v) for k, v in entries.items()}


def split(entries: list[str], n: int, weights: dict[str, float]) -> list[list[str]]:
    """The ``n`` shards of ``entries`` (each in ``entries``' order)."""
    known = [weights[e] for e in entries if e in weights]
    default = statistics.median(known) if known else 1.0
    load = [0.0] * n
    shard_of = {}
    for entry in sorted(set(entries), key=lambda e: (-weights.get(e, default), e)):
        target = min(range(n), key=lambda i: (load[i], i))
        shard_of[entry] = target
        load[target] += weights.get(entry, default)
    return [[e for e in entries if shard_of[e] == i] for i in range(n)]


def choose(entries: list[str], shard: str, root: Path) -> list[str]:
    """The entries of shard ``"K/N"``."""
    k, n = parse(shard)
    return split(entries, n, load_weights(root))[k - 1]


def judge_merged(entries: list[str], build: Path, expect: Path | None, sets: list[str]) -> int:
    """After ``--merge``: judge ``build/matrix.json`` as ``kb matrix`` judges one run, and
    fail where a shard's entries are missing (every one of ``entries``, in every set that ran,
    and every set named in ``sets``). 0 passed, 1 failed, 2 bad input."""
    from . import matrix_results as matrix

    try:
        data = matrix.read_matrix(build)
        expected = matrix.load_expect(expect) if expect else None
    except VersionsError as exc:
        print(f"kb matrix: {exc}", file=sys.stderr)
        return 2
    fields = set(matrix.SetRecord.__dataclass_fields__) - {"entries"}
    records = [matrix.SetRecord(**{k: v for k, v in s.items() if k in fields}, entries={
        e: {kind: matrix.Outcome(o["status"], o.get("seconds") or 0.0, o.get("error", ""),
                                 o.get("flaky", ""))
            for kind, o in kinds.items()}
        for e, kinds in s.get("entries", {}).items()}) for s in data["sets"]]
    problems = [f"[{name}] not in the merged files" for name in sets
                if name not in {r.name for r in records}]
    for r in records:
        if r.status == "ran":
            problems += [f"[{r.name}] {e}: no outcome (a shard's matrix.json is missing)"
                         for e in entries if set(r.entries.get(e, {})) != {"notebook", "guard"}]
    problems += matrix.judge(records, expected)
    # each shard's job printed its own log tails; the judge still names every flaky run
    for line in matrix.flaky_runs(records):
        print(f"kb matrix: FLAKY: {line}", file=sys.stderr)
    for line in problems:
        print(f"kb matrix: {line}", file=sys.stderr)
    print(f"merged matrix: {len(records)} set(s), {sum(len(r.entries) for r in records)} "
          f"outcome pair(s); {'failed' if problems else 'passed'}")
    return 1 if problems else 0
