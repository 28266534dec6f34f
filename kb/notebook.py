"""The module every notebook imports first: ``from kb import notebook as nb``; prints nothing.

Importing it imports ``harness.notebook``, which sets Django up (test settings, a migrated
SQLite file, the seed users) before the notebook's other imports; its helpers are here under
the same names (``use_layer``, ``use_database``, ``redis_url``, ``run_pytest``, ``SUMMARY``, ``close``). On
top, the two that tie a notebook to the knowledge base: ``run_guard`` (the entry's guard
file) and ``check_claims`` (the last cell: the write-up against the corpus and the notebook).
"""

from harness.notebook import (  # sets Django up
    SUMMARY,
    close,
    redis_url,
    run_pytest,
    use_database,
    use_layer,
)

from . import REPO as KNOWLEDGE  # the checkout, or the copy a wheel installed
from .corpus import texts
from .entries import load, scan
from .lint import signatures
from .lint_corpus import corpus
from .signature import normalise

__all__ = ["SUMMARY", "check_claims", "close", "redis_url", "run_guard", "run_pytest", "use_database", "use_layer"]


def check_claims(entry_id: str, observed: list[str], quoted: list[str] = ()) -> None:
    """The last cell of every notebook: tie the write-up to real output and to this notebook.

    Against the entry's corpus (``corpus/<id>/``: output captured from real runs by
    ``kb corpus``, and excerpts reported upstream):
    - every captured and reported text triages to this entry first;
    - every front-matter signature matches at least one of them;
    - every failure line this notebook ``observed`` appears in some captured text (the notebook
      and the corpus show the same failure);
    - every string in ``quoted`` (exact error texts, close codes as written) appears verbatim in
      the write-up.
    Raises ``AssertionError`` naming the first claim that drifted.
    """
    entry = load(entry_id)
    entries, _ = scan(entry.root)
    # the same checks as `kb lint <id>` makes of the corpus (one implementation, kb.lint)
    problems = signatures(entry) + corpus(entry, entries)
    assert not problems, "; ".join(p.format(entry.root) for p in problems)
    captured = [text for path, text in texts(entry.root, entry_id)
                if path.parent.parent.name == "captured"]
    seen = [normalise(text) for text in captured]
    for text in observed:
        line = normalise(text).strip()
        assert any(line in t for t in seen), (
            f"the notebook observed {text!r}, which no capture in corpus/{entry_id}/captured shows"
        )
    for text in quoted:
        assert text in entry.body, f"the write-up does not quote {text!r}"


def run_guard(entry_id: str, timeout: float = 300.0):
    """Run the entry's guard test file, ``tests/guards/test_<id>.py``, in a subprocess.

    It runs in the knowledge base ``kb`` reads (``kb.REPO``: this checkout, or the copy
    installed with the package), so an installed notebook runs its installed guard.

    Asserts that it ran at least one test, that every test passed (no failure, error or skip:
    a skipped guard guards nothing), prints pytest's summary line and returns the result.
    """
    path = f"tests/guards/test_{entry_id.replace('-', '_')}.py"
    result = run_pytest(path, timeout=timeout, cwd=KNOWLEDGE, env={"COLUMNS": "200"})
    assert result.returncode == 0, result.output
    assert result.outcomes.get("passed", 0) > 0, result.output
    unexpected = set(result.outcomes) - {"passed", "warning", "warnings"}
    assert not unexpected, f"{path}: {result.outcomes}"
    print(f"{path}: {result.summary}")
    return result
