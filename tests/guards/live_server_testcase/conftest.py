"""No shared fixtures: the fixed cases are ``TestCase`` classes (``live_process`` holds their helpers)."""
