"""django_get_event_loop_in_setup.py's Django test case, run by pytest instead of Django's runner.

Imported as EchoTestCase: pytest collects it because it is a unittest.TestCase subclass
(_pytest/unittest.py), not by its name (python_classes is Test*), and names it by its name in this
module, so its id is `...::EchoTestCase::test_echo_round_trip`: a unittest test, which
pytest-asyncio never runs (pytest-asyncio-setup's no-current-loop-message). A name ending in
TestCase, because a `*Tests` name alone does not show a TestCase: Django suites often set
`python_classes = Test* *Tests`, which collects plain classes of that name too.
"""

from harness.bootstrap import bootstrap

bootstrap("harness.settings.test")  # Django set up before the test case's imports

from django_get_event_loop_in_setup import EchoTests as EchoTestCase  # noqa: E402, F401  (collected here by pytest)
