"""The harness's consumers. ``connect_calls`` counts ``connect()`` runs per consumer, so a
notebook can show whether a refused connection ever reached the application."""

from collections import Counter

connect_calls: Counter[str] = Counter()
