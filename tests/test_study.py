"""The study set (corpus/_study/) and its bench: the counting, the files, and that kb corpus and
kb lint leave the folder alone (its reports are not captures and need not triage right)."""

from pathlib import Path

import pytest
from kbfixture import write_entry

from bench import study
from kb import REPO
from kb.corpus import scenario_folders, texts
from kb.entries import scan
from kb.lint import lint

HEADER = "# source: https://example.org/{n}\n# versions: none shown\n# verdict: {verdict}\n# why: w\n"


def report(name: str, verdict: str, classes: tuple = ()) -> study.Report:
    return study.Report(Path(name), "https://example.org", "", verdict, "w", classes, "text\n")


def test_counting_splits_in_and_out_of_family_and_lists_misses_by_class():
    reports = [report("a.txt", "x"), report("b.txt", "x", ("cut-paste",)), report("c.txt", "y", ("versions", "multi-test")),
               report("d.txt", "none"), report("e.txt", "none", ("older-line",)), report("f.txt", "y"),
               report("g.txt", "y", ("multi-test",)), report("h.txt", "x")]
    answers = [("x",), (), ("x",), (), ("y",), ("y",), ("x", "y"), ("y", "z")]
    got = study.count(reports, answers, {"x", "y", "z"})
    # g: "x or y" holds its verdict y: ambiguous, neither right nor wrong; h: "y or z" lacks x: wrong
    assert (got["in"], got["out"]) == ({"right": 2, "ambiguous": 1, "wrong": 2, "none": 1}, {"right": 1, "wrong": 1})
    assert (got["reports"], got["in_family"], got["out_of_family"]) == (8, 6, 2)
    assert (got["recall"], got["wrong"], got["wrong_rate"]) == (0.333, 3, 0.375)
    assert got["misses_by_class"] == {"cut-paste": ["b.txt"], "multi-test": ["c.txt", "g.txt"], "older-line": ["e.txt"],
                                      "unclassed": ["h.txt"], "versions": ["c.txt"]}
    assert [row["answer"] for row in got["rows"]][6:] == ["x or y", "y or z"]


def test_a_verdict_naming_no_entry_is_refused():
    with pytest.raises(study.StudyError, match="verdict names no entry: z"):
        study.count([report("a.txt", "z")], [()], {"x"})


def test_a_study_file_needs_its_header_and_an_excerpt(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("# source: https://example.org\n# verdict: none\nboom\n", encoding="utf-8")
    with pytest.raises(study.StudyError, match=r"r\.txt: no '# versions:' line"):
        study.parse(path)
    path.write_text(HEADER.format(n=1, verdict="none"), encoding="utf-8")
    with pytest.raises(study.StudyError, match="no excerpt"):
        study.parse(path)
    path.write_text(HEADER.format(n=1, verdict="none") + "# classes: cut\nboom\n", encoding="utf-8")
    with pytest.raises(study.StudyError, match="unknown class 'cut'"):
        study.parse(path)
    path.write_text(HEADER.format(n=1, verdict="none") + "# classes: cut-paste, versions\n  File \"x\"\n", encoding="utf-8")
    parsed = study.parse(path)
    assert (parsed.verdict, parsed.classes, parsed.text) == ("none", ("cut-paste", "versions"), '  File "x"\n')


def test_the_study_set_parses_its_verdicts_name_entries_and_no_report_is_also_a_reported_excerpt():
    entries, _ = scan(REPO)
    reports = study.load(REPO)
    assert len(reports) >= 60
    assert {r.verdict for r in reports} - {"none"} <= {e.id for e in entries}
    sources = [r.source for r in reports]
    assert len(sources) == len(set(sources)), "a report is in the study set twice"
    reported = {path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# source: ").strip()
                for entry in entries for path in (REPO / "corpus" / entry.id / "reported").glob("*.txt")}
    assert not set(sources) & reported, "a study report copied into reported/ would count itself as recognised"


def test_kb_corpus_and_kb_lint_do_not_take_the_study_folder_for_an_entry(tmp_path):
    write_entry(tmp_path)
    folder = tmp_path / "corpus" / study.STUDY
    folder.mkdir(parents=True)
    # a report no entry matches, and one the entry's signature matches: neither is a problem
    (folder / "a.txt").write_text(HEADER.format(n=1, verdict="none") + "KeyError: 'room'\n", encoding="utf-8")
    (folder / "b.txt").write_text(HEADER.format(n=2, verdict="none") + "EchoRefused: connection 7 refused\n",
                                  encoding="utf-8")
    assert lint(tmp_path) == []
    assert study.STUDY not in scenario_folders(tmp_path)
    assert texts(tmp_path, "echo-refused") and not any(study.STUDY in p.parts for p, _ in texts(tmp_path, "echo-refused"))


def test_tuned_seed_and_low_confidence_lines_parse_and_split_the_figures(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text(HEADER.format(n=1, verdict="x") + "# tuned: x sig-a (commit 1)\n# verdict-confidence: low (why)\n"
                    "boom\n", encoding="utf-8")
    parsed = study.parse(path)
    assert (parsed.tuned, parsed.confidence, parsed.held_out, parsed.headline, parsed.text) == (
        "x sig-a (commit 1)", "low", False, False, "boom\n")
    path.write_text(HEADER.format(n=1, verdict="x") + "# verdict-confidence: high\nboom\n", encoding="utf-8")
    with pytest.raises(study.StudyError, match="verdict-confidence 'high'"):
        study.parse(path)

    def make(name, verdict, tuned="", seed="", confidence=""):
        return study.Report(Path(name), "https://example.org", "", verdict, "w", (), "t\n",
                            tuned=tuned, seed=seed, confidence=confidence)

    reports = [make("a.txt", "x", tuned="x s"), make("b.txt", "x"), make("c.txt", "x", seed="x"),
               make("d.txt", "x", confidence="low"), make("e.txt", "none")]
    answers = [("x",), (), ("x",), ("x",), ("x",)]
    strengths = {"a.txt": "weak", "b.txt": None, "c.txt": "strong", "d.txt": "strong", "e.txt": "strong"}
    got = study.subsets(reports, answers, strengths, {"x"})
    assert {k: (v["reports"], v["in"]["right"], v["recall"], v["wrong"], v["right_strong"], v["right_weak"])
            for k, v in got.items()} == {
        "all": (5, 3, 0.75, 1, 2, 1),
        "headline": (4, 2, 0.667, 1, 1, 1),
        "held-out": (2, 0, 0.0, 1, 0, 0),
    }
