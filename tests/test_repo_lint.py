"""``kb lint`` of this repository, inside the test session: one test per entry and one for the
negative corpus, so xdist spreads its ~11 s of triage over the workers. ``make test`` runs ruff
(and actionlint) before the session and no longer runs ``kb lint`` apart: the session does the
same checks (``lint(REPO)`` is these calls: each entry's own, then ``lint_negative``), and
``make lint`` still runs ``kb lint`` whole."""

import pytest

from kb import REPO
from kb.entries import scan, writeup_paths
from kb.lint import lint, lint_negative

IDS = sorted({p.stem for p in writeup_paths(REPO)} | {p.stem for p in (REPO / "notebooks").glob("*.ipynb")})


def test_every_notebook_has_its_writeup_and_there_are_26_or_more():
    assert IDS == sorted(p.stem for p in writeup_paths(REPO)) and len(IDS) >= 26


@pytest.mark.parametrize("entry_id", IDS)
def test_the_entry_lints_clean(entry_id):
    """Front matter, sections, signatures, snippets, the notebook, the versions table, and the
    captured corpus: every text triages to this entry alone, every signature is used."""
    problems = lint(REPO, [entry_id])
    assert [problem.format(REPO) for problem in problems] == []


def test_no_negative_text_triages_to_any_entry_and_its_proof_holds():
    entries, _ = scan(REPO)
    problems = lint_negative(REPO, entries)
    assert [problem.format(REPO) for problem in problems] == []
