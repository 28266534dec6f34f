"""``kb.shard``: ``kb matrix --shard K/N`` splits the entries; ``--merge`` of the shards' results
judges as one run over every entry would. Pure logic on records: no set is installed here."""

import json
import random

import pytest

from kb import REPO, matrix, shard
from kb.cli import main
from kb.versions import VersionsError

ENTRIES = matrix.choose_entries(REPO, [])
WEIGHTS = shard.load_weights(REPO)


@pytest.mark.parametrize("n", range(1, 8))
def test_the_shards_are_disjoint_and_together_hold_every_entry(n):
    shards = shard.split(ENTRIES, n, WEIGHTS)
    assert len(shards) == n
    assert sorted(e for s in shards for e in s) == sorted(ENTRIES)
    assert sum(map(len, shards)) == len(set(ENTRIES))


def test_the_split_is_the_same_whatever_order_the_entries_come_in():
    shuffled = list(ENTRIES)
    random.Random(21).shuffle(shuffled)
    as_sets = [set(s) for s in shard.split(ENTRIES, 3, WEIGHTS)]
    assert [set(s) for s in shard.split(shuffled, 3, WEIGHTS)] == as_sets
    assert [set(shard.choose(shuffled, f"{k}/3", REPO)) for k in (1, 2, 3)] == as_sets


def test_the_longest_entries_are_spread_and_no_shard_exceeds_the_mean_by_more_than_one_entry():
    weights = {"a": 100.0, "b": 90.0, "c": 10.0, "d": 10.0, "e": 5.0}
    shards = shard.split(list(weights), 2, weights)
    assert {"a", "b"} - set(shards[0]) and {"a", "b"} - set(shards[1])  # never together
    loads = [sum(weights[e] for e in s) for s in shards]
    assert max(loads) - sum(loads) / 2 <= max(weights.values())


def test_an_entry_without_a_measured_time_weighs_the_median():
    shards = shard.split(["x", "a", "b", "c"], 2, {"a": 1.0, "b": 5.0, "c": 9.0})
    assert sorted(map(sorted, shards)) == [["a", "c"], ["b", "x"]]  # x weighs 5, like b


def test_the_measured_weights_name_only_entries_of_the_repository():
    """A new entry weighs the median until it is measured; a weight for a removed or renamed
    entry would only mislead the balance."""
    assert WEIGHTS and set(WEIGHTS) <= set(ENTRIES), sorted(set(WEIGHTS) - set(ENTRIES))


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", ""])
def test_a_bad_shard_is_one_line_and_exit_2(text, capsys):
    with pytest.raises(VersionsError, match="--shard"):
        shard.parse(text)
    assert main(["matrix", "--shard", text, "--set", "pins"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("kb matrix: --shard") and "\n" not in err


def one_run(failing: dict | None = None) -> dict:
    """A matrix.json as one run over every entry on two sets writes it."""
    failing = failing or {}

    def outcome(entry, set_name, kind):
        error = failing.get((entry, set_name, kind), "")
        return {"status": "failed" if error else "passed", "seconds": 1.5, "error": error}

    return {"finished": "2026-12-06T05:00:00+00:00", "wall_seconds": 10.0, "sets": [
        {"name": name, "status": "ran", "reason": "", "python": python, "interpreter": "",
         "install_seconds": 3.0, "reused": False, "versions": {"django": "5.2.19"},
         "entries": {e: {k: outcome(e, name, k) for k in ("notebook", "guard")} for e in ENTRIES}}
        for name, python in (("pins", "3.11.7"), ("lts", "3.11.7"))]}


def shard_files(tmp_path, whole: dict, n: int) -> list:
    """Each shard's matrix.json: the whole run's sets, each with only that shard's entries."""
    files = []
    for k, entries in enumerate(shard.split(ENTRIES, n, WEIGHTS), 1):
        part = json.loads(json.dumps(whole))
        for record in part["sets"]:
            record["entries"] = {e: record["entries"][e] for e in entries}
        files.append(tmp_path / f"shard-{k}.json")
        files[-1].write_text(json.dumps(part))
    return files


@pytest.mark.parametrize("n", [1, 3, 6])
def test_merging_the_shards_gives_the_one_runs_sets_and_outcomes(tmp_path, n, capsys):
    whole = one_run()
    files = shard_files(tmp_path, whole, n)
    build = tmp_path / "merged"
    matrix.merge(build, files)
    merged = json.loads((build / "matrix.json").read_text())
    assert merged["sets"] == whole["sets"]
    assert shard.judge_merged(ENTRIES, build, None, ["pins", "lts"]) == 0
    assert "passed" in capsys.readouterr().out


def test_merged_shards_pass_or_fail_the_expect_file_exactly_as_the_one_run(tmp_path, capsys):
    entry = ENTRIES[0]
    whole = one_run({(entry, "lts", "guard"): "AssertionError: boom"})
    expect = tmp_path / "expect.json"
    expect.write_text(json.dumps({entry: {"lts": {"guard": "AssertionError: boom"}}}))
    one = tmp_path / "one"
    matrix.merge(one, [write(tmp_path / "whole.json", whole)])
    sharded = tmp_path / "sharded"
    matrix.merge(sharded, shard_files(tmp_path, whole, 3))
    for build in (one, sharded):
        assert shard.judge_merged(ENTRIES, build, expect, []) == 0
    expect.write_text("{}")
    for build in (one, sharded):
        assert shard.judge_merged(ENTRIES, build, expect, []) == 1
        assert f"[lts] {entry} guard: failed: AssertionError: boom" in capsys.readouterr().err


def test_a_missing_shard_or_set_fails_the_merged_judgement(tmp_path, capsys):
    files = shard_files(tmp_path, one_run(), 3)
    build = tmp_path / "merged"
    matrix.merge(build, files[:2])
    assert shard.judge_merged(ENTRIES, build, None, ["pins", "lts", "oldest"]) == 1
    err = capsys.readouterr().err
    assert "a shard's matrix.json is missing" in err and "[oldest] not in the merged files" in err


def test_the_merge_with_expect_runs_from_the_command_line(tmp_path, capsys):
    files = shard_files(tmp_path, one_run(), 2)
    (tmp_path / "e.json").write_text("{}")
    argv = ["matrix", "--expect", str(tmp_path / "e.json"), "--build"]
    assert main([*argv, str(tmp_path / "all"), *(f"--merge={f}" for f in files), "--set", "pins"]) == 0
    assert main([*argv, str(tmp_path / "half"), f"--merge={files[0]}"]) == 1
    assert "a shard's matrix.json is missing" in capsys.readouterr().err


def write(path, data):
    path.write_text(json.dumps(data))
    return path


def test_the_merged_judgement_names_a_run_that_passed_only_on_a_re_run(tmp_path, capsys):
    whole = one_run()
    entry = ENTRIES[1]
    outcome = whole["sets"][1]["entries"][entry]["notebook"]
    outcome["flaky"] = "AssertionError: first"
    build = tmp_path / "merged"
    matrix.merge(build, shard_files(tmp_path, whole, 3))
    assert shard.judge_merged(ENTRIES, build, None, []) == 0
    name = whole["sets"][1]["name"]
    assert (f"FLAKY: [{name}] {entry} notebook passed only on a re-run; the first run failed: "
            "AssertionError: first") in capsys.readouterr().err
