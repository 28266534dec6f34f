# kb-corpus: django >= 5.2
"""The same subclass under Django's test runner (``manage.py test``)."""

from live_cases import file_test_database

file_test_database()

from test_pre_setup_override import MatchOverLiveServer  # noqa: E402, F401
