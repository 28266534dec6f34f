"""django_get_event_loop_in_setup.py's Django test case, run by pytest instead of Django's runner.

pytest collects EchoTests because it is a unittest.TestCase subclass (_pytest/unittest.py), not by
its name (python_classes is Test*), so its id is `...::EchoTests::test_echo_round_trip`: a
unittest test, which pytest-asyncio never runs (pytest-asyncio-setup's no-current-loop-message).
"""

from harness.bootstrap import bootstrap

bootstrap("harness.settings.test")  # Django set up before the test case's imports

from django_get_event_loop_in_setup import EchoTests  # noqa: E402, F401  (collected here by pytest)
