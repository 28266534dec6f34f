"""No shared fixtures: the scenarios are ``TestCase`` classes (``live_cases`` holds their helpers)."""
