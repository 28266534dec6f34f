"""kb.corpus.applies: a scenario may ask for a newer Python (``# kb-corpus: python >= X.Y``)."""

import sys

from kb.corpus import applies


def test_when_a_scenario_asks_for_a_newer_python_then_it_is_not_captured_here(tmp_path):
    newer = tmp_path / "test_newer.py"
    newer.write_text("# kb-corpus: python >= 99.0\ndef test_a():\n    assert False\n")
    assert not applies(newer)


def test_when_a_scenario_asks_for_this_python_or_none_then_it_is_captured(tmp_path):
    this = tmp_path / "test_this.py"
    this.write_text(f"# kb-corpus: python >= {sys.version_info[0]}.{sys.version_info[1]}\n")
    plain = tmp_path / "test_plain.py"
    plain.write_text("def test_a():\n    assert False\n")
    assert applies(this) and applies(plain)
