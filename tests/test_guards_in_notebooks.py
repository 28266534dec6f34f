"""`make test` runs each guard once, inside its notebook (`nb.run_guard`), not again under
`pytest tests` (the Makefile's test-harness leaves tests/guards/ out). That is only a proof
while every notebook runs its own guard file: checked here, on the committed notebooks."""

import json
import re

import pytest

from kb import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_runs_its_own_guard_file_in_a_code_cell(notebook):
    guard = REPO / "tests" / "guards" / f"test_{notebook.stem.replace('-', '_')}.py"
    assert guard.exists(), f"{notebook.name}: no {guard.relative_to(REPO)}"
    call = re.compile(rf'^guard = nb\.run_guard\("{re.escape(notebook.stem)}"(, timeout=[\d.]+)?\)$', re.M)
    cells = [("".join(c["source"])) for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    assert any(call.search(source) for source in cells), f"{notebook.name} does not run its guard"


def test_every_guard_file_belongs_to_a_notebook():
    stems = {p.stem.replace("-", "_") for p in NOTEBOOKS}
    guards = {p.stem.removeprefix("test_") for p in (REPO / "tests" / "guards").glob("test_*.py")}
    assert guards <= stems, sorted(guards - stems)
