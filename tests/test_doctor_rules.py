"""Every rule of ``kb doctor`` against its own documented examples: each ``flags`` example is
flagged by that rule and no other, each ``passes`` example by no rule at all (all versions
unknown, so version rules apply). Also: codes are unique and lie in their entry's block.

An example is read as ``test_example.py`` in a project of its own whose pytest configuration
says ``asyncio_mode = "auto"`` (examples need no markers), with the rule's ``beside`` files (the
strict-mode rules bring a ``pytest.ini`` that says strict)."""

from pathlib import Path

import pytest

from kb.doctor import codes, engine
from kb.doctor.project import Project

RULES = engine.all_rules()


def scan_example(folder: Path, rule, source: str) -> list:
    folder.mkdir(parents=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'example'\n\n[tool.pytest.ini_options]\n"
                                           "asyncio_mode = \"auto\"\n", encoding="utf-8")
    for name, text in rule.beside.items():
        (folder / name).write_text(text, encoding="utf-8")
    example = folder / "test_example.py"
    example.write_text(source, encoding="utf-8")
    project = Project([folder])
    project.files = [example]
    return engine.scan([example], versions={}, project=project)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_each_flags_example_is_flagged_by_its_rule_alone(rule, tmp_path):
    assert rule.flags, f"{rule.code} documents no example it flags"
    for n, source in enumerate(rule.flags):
        found = scan_example(tmp_path / f"flags{n}", rule, source)
        assert {f.code for f in found} == {rule.code}, (source, found)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_each_passes_example_is_flagged_by_no_rule(rule, tmp_path):
    assert rule.passes, f"{rule.code} documents no example it passes"
    for n, source in enumerate(rule.passes):
        assert scan_example(tmp_path / f"passes{n}", rule, source) == [], source


def test_codes_are_unique_and_in_their_entrys_block():
    assert len({r.code for r in RULES}) == len(RULES)
    assert [r.code for r in RULES if codes.block_of(r.code) != r.entry] == []
    assert sorted(set(codes.BLOCKS.values())) == list(range(100, 100 + 10 * len(codes.BLOCKS), 10))


def test_a_rule_whose_example_stops_being_flagged_fails_this_check(tmp_path):
    """The check can fail: the origin rule's flagged example with the Origin header added passes."""
    (rule,) = [r for r in RULES if r.code == "KB240"]
    fixed = rule.flags[0].replace('"/ws/")', '"/ws/", headers=[(b"origin", b"http://localhost")])')
    assert fixed != rule.flags[0]
    assert scan_example(tmp_path / "x", rule, fixed) == []
