"""Plain-text tables: padded columns, multi-line cells, the last column wrapped to the width."""

from kb.table import render


def test_columns_are_padded_to_the_widest_cell():
    assert render(["ID", "N"], [["a", "1"], ["long-id", "2"]], width=40).splitlines() == [
        "ID       N", "a        1", "long-id  2"]


def test_the_last_column_wraps_and_continues_indented():
    lines = render(["ID", "TEXT"], [["x", "one two three four five six"]], width=24).splitlines()
    assert lines[1:] == ["x   one two three four", "      five six"]


def test_paths_and_hyphenated_words_are_not_broken():
    path = "build/executed/a-very-long-notebook-name.ipynb"
    lines = render(["ID", "OUT"], [["x", path]], width=30).splitlines()
    assert lines[1] == f"x   {path}"


def test_multi_line_cells_add_rows():
    lines = render(["A", "B", "C"], [["1", "x\ny", "first\nsecond"]], width=40).splitlines()
    assert lines[1:] == ["1  x  first", "   y  second"]
