"""kb.corpus.applies: a scenario may ask for versions (``# kb-corpus: python >= X.Y``,
``# kb-corpus: asgiref < 3.9``) and is captured only where they hold."""

import sys
from importlib import metadata

from kb.corpus import applies, unmet_requirement


def scenario(tmp_path, *lines):
    path = tmp_path / "test_s.py"
    path.write_text("".join(f"{line}\n" for line in lines) + "def test_a():\n    assert False\n")
    return path


def test_when_a_scenario_asks_for_a_newer_python_then_it_is_not_captured_here(tmp_path):
    path = scenario(tmp_path, "# kb-corpus: python >= 99.0")
    assert not applies(path)
    assert unmet_requirement(path) == f"needs python >= 99.0, has {sys.version.split()[0]}"


def test_when_a_scenario_asks_for_this_python_or_none_then_it_is_captured(tmp_path):
    assert applies(scenario(tmp_path, f"# kb-corpus: python >= {sys.version_info[0]}.{sys.version_info[1]}"))
    assert applies(scenario(tmp_path))


def test_when_a_distribution_bound_holds_then_it_is_captured_and_when_not_then_it_says_which(tmp_path):
    have = metadata.version("pytest")
    major = int(have.split(".")[0])
    assert applies(scenario(tmp_path, f"# kb-corpus: pytest >= {major}", f"# kb-corpus: pytest < {major + 1}"))
    path = scenario(tmp_path, f"# kb-corpus: pytest < {major}")
    assert unmet_requirement(path) == f"needs pytest < {major}, has {have}"


def test_when_every_line_must_hold_then_one_unmet_line_is_enough_to_leave_it_out(tmp_path):
    path = scenario(tmp_path, "# kb-corpus: python >= 3.0", "# kb-corpus: no-such-distribution >= 1.0")
    assert unmet_requirement(path) == "needs no-such-distribution >= 1.0, has none"


def test_when_versions_differ_in_their_parts_then_they_compare_as_releases(tmp_path):
    have = metadata.version("pytest")  # e.g. 9.2.0: 9.10 is newer, though "9.10" < "9.2" as text
    major = int(have.split(".")[0])
    assert not applies(scenario(tmp_path, f"# kb-corpus: pytest >= {major}.10"))
    assert applies(scenario(tmp_path, f"# kb-corpus: pytest < {major}.10"))


def test_when_every_scenario_asks_for_other_versions_then_capture_says_so_and_writes_nothing(tmp_path, capsys):
    from kb.corpus import capture

    scenarios = tmp_path / "some-entry" / "scenarios"
    scenarios.mkdir(parents=True)
    scenario(scenarios, "# kb-corpus: python >= 99.0")
    assert capture(scenarios, "here", None) == []
    assert capsys.readouterr().out == "some-entry: test_s.py not captured here: " \
        f"needs python >= 99.0, has {sys.version.split()[0]}\n"
    assert not (scenarios.parent / "captured").exists()
