"""The knowledge-base tooling: list, triage, new, lint, run (one module per verb)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
