"""No shared fixtures: the scenarios are ``TestCase`` classes (``live_database`` holds their helpers)."""
