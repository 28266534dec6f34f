"""pytest plugin (entry point ``kb_known_issues``): points failing tests at knowledge-base entries.

Placeholder while the tooling issue is in progress: registers the opt-out flag only.
"""


def pytest_addoption(parser):
    parser.addoption(
        "--no-known-issues",
        action="store_true",
        help="do not point failing tests at knowledge-base entries",
    )
