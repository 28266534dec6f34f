"""One module per entry: ``<entry id with underscores>.py`` declares ``RULES``."""
