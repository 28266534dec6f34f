pytest_plugins = ["harness.fixtures"]

# Suites that the async-test-database guard runs in their own pytest sessions (their own
# pytest.ini and conftest.py, pytest-django on): not part of this session.
collect_ignore = ["guards/async_test_database"]


def pytest_addoption(parser):
    parser.addoption("--record-durations", metavar="PATH", default=None,
                     help="write the seconds each test module and notebook took to PATH (tests/durations.json "
                          "is what make test's order reads: tests/ordering.py)")


def pytest_collection_modifyitems(session, config, items):
    """Under xdist, each worker collects and orders alike: the longest units first, spread over
    the workers' first slices (tests/ordering.py)."""
    import os

    workerinput = getattr(config, "workerinput", None)
    if not workerinput or workerinput.get("workercount", 1) < 2 or os.environ.get("KB_TEST_ORDER") == "collected":
        return  # KB_TEST_ORDER=collected: as collected (to compare, or to rule the order out)
    from ordering import arrange, estimates

    by_id = {item.nodeid: item for item in items}
    if len(by_id) != len(items):  # the same node twice (a path given twice): left as collected
        return
    items[:] = [by_id[nodeid] for nodeid in arrange(list(by_id), workerinput["workercount"], estimates())]


_seconds: dict = {}


def pytest_runtest_logreport(report):
    if getattr(report, "duration", None) is not None:
        from ordering import unit_of

        unit = unit_of(report.nodeid)
        _seconds[unit] = _seconds.get(unit, 0.0) + report.duration


def pytest_sessionfinish(session):
    path = session.config.getoption("--record-durations")
    if path and not hasattr(session.config, "workerinput"):
        from pathlib import Path

        from ordering import record

        record(Path(path), _seconds)
