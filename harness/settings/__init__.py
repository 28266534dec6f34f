"""Settings modules: ``production`` (what Daphne serves) and ``test`` (what tests and notebooks use)."""
