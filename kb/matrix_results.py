"""``kb matrix``'s results: the outcome records, build/matrix.json (written, merged), the table,
the verdict against an ``--expect`` file, and ``--write-expect``, ``--record``, ``--write-tables``."""

import json
import re
import sys
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import table, versions


@dataclass
class Outcome:
    """One notebook or guard file on one set: "passed", "failed", "timeout" or "missing"."""

    status: str
    seconds: float = 0.0
    error: str = ""
    #: with --rerun: the error of the first run when a re-run passed (a flaky run, reported)
    flaky: str = ""


def outcome_dict(outcome: Outcome) -> dict:
    """An outcome as JSON: ``flaky`` only where a re-run passed."""
    return {k: v for k, v in asdict(outcome).items() if k != "flaky" or v}


@dataclass
class SetRecord:
    """One version set: "ran", "skipped" (no interpreter) or "install-failed"."""

    name: str
    status: str
    reason: str = ""
    python: str = ""
    interpreter: str = ""
    install_seconds: float = 0.0
    reused: bool = False
    versions: dict = field(default_factory=dict)
    entries: dict = field(default_factory=dict)  #: id -> {"notebook": Outcome, "guard": Outcome}


def load_expect(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise versions.VersionsError(f"{path}: not readable JSON ({exc.__class__.__name__})") from None
    ok = isinstance(data, dict) and all(
        isinstance(sets, dict) and all(isinstance(kinds, dict) and set(kinds) <= {"notebook", "guard"}
                                       and all(isinstance(v, str) and v for v in kinds.values())
                                       for kinds in sets.values())
        for key, sets in data.items() if not key.startswith("_"))
    if not ok:
        raise versions.VersionsError(f"{path}: want entry -> set -> {{\"notebook\"|\"guard\": text}}")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def to_json(records: list[SetRecord], wall: float) -> dict:
    return {"finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),  # noqa: UP017
            "wall_seconds": round(wall, 1),
            "sets": [{**asdict(r), "entries": {e: {k: outcome_dict(o) for k, o in kinds.items()}
                                               for e, kinds in r.entries.items()}}
                     for r in records]}


def write_json(path: Path, records: list[SetRecord], wall: float) -> None:
    """Write this run into ``path``, keeping what an earlier run measured for the sets and
    entries this one did not run (unless the set's installed versions changed since)."""
    data = to_json(records, wall)
    try:
        earlier = {s["name"]: s for s in json.loads(path.read_text(encoding="utf-8"))["sets"]}
    except (OSError, ValueError, KeyError, TypeError):
        earlier = {}
    merged = dict(earlier)
    for record in data["sets"]:
        before = earlier.get(record["name"])
        if (before and record["status"] == "ran" and before.get("status") == "ran"
                and before.get("versions") == record["versions"] and before.get("python") == record["python"]):
            record["entries"] = {**before.get("entries", {}), **record["entries"]}
        merged[record["name"]] = record
    data["sets"] = list(merged.values())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def format_table(records: list[SetRecord], entries: list[str]) -> str:
    """Rows: entries; columns: sets; a cell is "notebook/guard" statuses and seconds."""
    rows = []
    for entry_id in entries:
        row = [entry_id]
        for r in records:
            if r.status != "ran":
                row.append(r.status)
                continue
            kinds = r.entries.get(entry_id, {})
            nb, guard = kinds.get("notebook"), kinds.get("guard")
            row.append(f"{_short(nb)} {nb.seconds:.0f}s / {_short(guard)}" if nb and guard else "-")
        rows.append(row)
    footer = ["(install s)"] + [f"{r.install_seconds:.0f}{' reused' if r.reused else ''}"
                                if r.status == "ran" else r.reason[:40] for r in records]
    return table.render(["entry: notebook / guard", *(r.name for r in records)], rows + [footer],
                        width=1000)


def _short(outcome: Outcome) -> str:
    status = {"passed": "ok", "failed": "FAIL", "timeout": "TIMEOUT", "missing": "none"}[outcome.status]
    return f"{status}*" if outcome.flaky else status  # * passed on a re-run (--rerun)


def flaky_runs(records: list[SetRecord]) -> list[str]:
    """One line per notebook or guard run that passed only on a re-run (``--rerun``)."""
    return [f"[{r.name}] {entry_id} {kind} passed only on a re-run; the first run failed: {o.flaky}"
            for r in records for entry_id, kinds in r.entries.items() for kind, o in kinds.items() if o.flaky]


def judge(records: list[SetRecord], expected: dict | None) -> list[str]:
    """One line per thing that makes the run fail (empty: exit 0)."""
    problems = []
    for r in records:
        if r.status == "install-failed":
            problems.append(f"[{r.name}] could not install: {r.reason}")
        for entry_id, kinds in r.entries.items():
            for kind, outcome in kinds.items():
                want = None if expected is None else expected.get(entry_id, {}).get(r.name, {}).get(kind)
                where = f"[{r.name}] {entry_id} {kind}"
                if outcome.status == "passed":
                    if want:
                        problems.append(f"{where}: passed, but --expect lists it as failing with {want!r}: "
                                        "remove it from the expect file")
                elif want is None:
                    problems.append(f"{where}: {outcome.status}: {outcome.error}")
                elif want not in outcome.error:
                    problems.append(f"{where}: fails differently than expected ({want!r}): {outcome.error}")
    return problems


#: where an error line stops being the same on another machine or run: an absolute path, an
#: address, a port, a duration, a pid
VOLATILE = re.compile(r"(?:^|(?<=[\s(\[\'\"]))/[\w.~-]+/|0x[0-9a-f]+|\d+\.\d+s\b|127\.0\.0\.1:\d+|:\d{4,5}\b|\bpid \d+")


def expected_text(error: str) -> str:
    """The stable start of an error line (up to an absolute path, address, port or duration)."""
    match = VOLATILE.search(error)
    return (error[: match.start()] if match else error).rstrip(" ,:;(")[:120] or error[:120]


def write_expect(build: Path, target: Path) -> int:
    matrix = read_matrix(build)
    expected: dict = {"_comment": "known failures: entry -> set -> notebook/guard -> the start of "
                                  "its first error line; written by `kb matrix --write-expect`"}
    for record in matrix["sets"]:
        for entry_id, kinds in record.get("entries", {}).items():
            for kind, outcome in kinds.items():
                if outcome["status"] != "passed":
                    expected.setdefault(entry_id, {}).setdefault(record["name"], {})[kind] = (
                        expected_text(outcome["error"]))
    target.write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {sum(len(k) for e, s in expected.items() if e[0] != '_' for k in s.values())} "
          f"known failure(s) to {target}")
    return 0


def merge(build: Path, files: list[Path]) -> None:
    """Fold each of ``files`` (a ``matrix.json``) into ``build/matrix.json``, in order: a set
    it ran keeps its own record (interpreter, versions) and gains the file's entries, which
    replace the outcomes it had for them; sets only one side ran are kept as they are."""
    target = build / "matrix.json"
    merged = read_matrix(build) if target.exists() else {"sets": []}
    for path in files:
        try:
            other = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(other.get("sets"), list):
                raise ValueError
        except (OSError, ValueError, AttributeError) as exc:
            raise versions.VersionsError(f"--merge {path}: not a matrix.json that kb matrix wrote "
                                         f"({exc.__class__.__name__})") from None
        by_name = {record["name"]: record for record in merged["sets"]}
        for record in other.get("sets", []):
            mine = by_name.get(record["name"])
            if mine is None or mine.get("status") != "ran":
                entries = {**(mine or {}).get("entries", {}), **record.get("entries", {})}
                by_name[record["name"]] = {**record, "entries": entries}
            else:
                if record.get("status") == "ran" and (mine.get("versions"), mine.get("python")) != (
                        record.get("versions"), record.get("python")):
                    print(f"kb matrix: warning: {record['name']} in {path} ran other versions than "
                          f"{target}'s; its entries are folded in all the same", file=sys.stderr)
                mine.setdefault("entries", {}).update(record.get("entries", {}))
        merged["sets"] = list(by_name.values())
        print(f"merged {path}: {len(other.get('sets', []))} set(s), "
              f"{len({e for r in other.get('sets', []) for e in r.get('entries', {})})} entries")
    build.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(merged, indent=2) + "\n", encoding="utf-8")


def read_matrix(build: Path, name: str = "matrix.json") -> dict:
    source = build / name
    try:
        return json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise versions.VersionsError(f"{source}: not readable ({exc.__class__.__name__}); "
                                     "run `kb matrix` first") from None


def record_and_write(root: Path, build: Path, record: bool, write: bool) -> int:
    if record:
        results = fold(versions.load_results(root), versions.summarise(read_matrix(build)))
        if (root / "versions" / "sets.yaml").exists():  # the tables list sets in sets.yaml's order
            order = list(versions.load_sets(root))
            results["sets"] = dict(sorted(results["sets"].items(),
                                          key=lambda item: order.index(item[0]) if item[0] in order else len(order)))
        target = versions.results_path(root)
        target.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"recorded {len(results['sets'])} set(s), {len(results['entries'])} entries in {target}")
    if write:
        results = versions.load_results(root)
        if results is None:
            raise versions.VersionsError(f"no {versions.results_path(root)}: run `kb matrix --record`")
        changed = []
        for entry_id in results["entries"]:
            path = root / "context" / f"{entry_id}.md"
            if not path.exists():
                continue
            text = path.read_text(encoding="utf-8")
            new = versions.with_block(text, versions.table_block(results, entry_id))
            if new != text:
                path.write_text(new, encoding="utf-8")
                changed.append(entry_id)
        print(f"Versions tables: {len(changed)} write-up(s) changed"
              + (f" ({', '.join(changed)})" if changed else ""))
    return 0


def fold(recorded: dict | None, run: dict) -> dict:
    """``results.json`` after a run: the run's outcomes replace the recorded ones for each set
    and entry it ran; the others are kept, so a run of one set or one entry (or one CI shard)
    records only what it measured. Where a set now has other versions or another Python than
    recorded, its outcomes the run did not measure again are dropped (they describe versions
    the set no longer has)."""
    if not recorded:
        return run
    sets = dict(recorded.get("sets", {}))
    entries = {e: dict(by_set) for e, by_set in recorded.get("entries", {}).items()}
    for name, record in run["sets"].items():
        old = sets.get(name)
        if old is not None and (old.get("versions"), old.get("python")) != (record.get("versions"),
                                                                           record.get("python")):
            for entry_id, by_set in entries.items():
                if name in by_set and name not in run["entries"].get(entry_id, {}):
                    del by_set[name]
                    print(f"kb matrix: {entry_id} on {name}: dropped, recorded on other versions",
                          file=sys.stderr)
        sets[name] = record
    for entry_id, by_set in run["entries"].items():
        entries.setdefault(entry_id, {}).update(by_set)
    return {"sets": sets, "entries": dict(sorted((e, b) for e, b in entries.items() if b))}
