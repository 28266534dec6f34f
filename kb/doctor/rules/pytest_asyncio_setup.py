"""pytest-asyncio-setup: set-up that does not match the installed pytest-asyncio (strict mode's
decorators and markers, the removed ``event_loop``, loop scopes, deprecated overrides)."""

import ast

from ..context import constant, kwarg
from ..model import Rule

ENTRY = "pytest-asyncio-setup"
ASYNC_MARKS = {"asyncio", "anyio", "trio", "gen_test", "tornado", "curio"}


def strict(ctx) -> bool:
    return ctx.pytest_ini.get("asyncio_mode", "strict").lower() != "auto"


def async_fixture_declared_with_pytest(ctx):
    if not strict(ctx):
        return
    for func in ctx.functions:
        if isinstance(func, ast.AsyncFunctionDef) and ctx.fixture_call(func) is not None \
                and not ctx.is_asyncio_fixture(func):
            yield ctx.fixture_call(func), func.name


def async_test_without_marker(ctx):
    if not strict(ctx) or "anyio" in ctx.imports or "trio" in ctx.imports:
        return
    for func in ctx.functions:
        if isinstance(func, ast.AsyncFunctionDef) and ctx.is_test(func) and ctx.fixture_call(func) is None:
            owner = ctx.class_of(func)
            if owner is not None and (ctx.is_testcase(owner) or any(
                    b.id == "IsolatedAsyncioTestCase" for b in owner.bases if isinstance(b, ast.Name))):
                continue  # unittest / Django run it themselves
            if not ctx.marks(func) & ASYNC_MARKS:
                yield func, func.name


def asyncio_run_in_sync_fixture(ctx):
    """Only where an async test of the file uses the fixture (by name, or it is autouse)."""
    async_tests = [f for f in ctx.functions if isinstance(f, ast.AsyncFunctionDef) and ctx.is_test(f)]
    for call in ctx.calls:
        func = ctx.function_of(call)
        if ctx.qual(call.func) == "asyncio.run" and isinstance(func, ast.FunctionDef) \
                and ctx.fixture_call(func) is not None:
            deco = ctx.fixture_call(func)
            autouse = isinstance(deco, ast.Call) and constant(kwarg(deco, "autouse")) is True
            if any(autouse or func.name in {a.arg for a in t.args.args} for t in async_tests):
                yield call, func.name


def fixture_defined(ctx, name) -> bool:
    return ctx.fixture(name) is not None


def event_loop_requested(ctx):
    if fixture_defined(ctx, "event_loop"):
        return
    for func in ctx.functions:
        if any(a.arg == "event_loop" for a in func.args.args) and (
                ctx.fixture_call(func) is not None or ctx.is_test(func)):
            yield func, func.name


def event_loop_overridden(ctx):
    for func in ctx.functions:
        if func.name == "event_loop" and ctx.fixture_call(func) is not None:
            yield func


def event_loop_policy_overridden(ctx):
    for func in ctx.functions:
        if func.name == "event_loop_policy" and ctx.fixture_call(func) is not None:
            yield func


def wide_fixture_function_loop(ctx):
    default = ctx.pytest_ini.get("asyncio_default_fixture_loop_scope", "function")
    if default != "function":
        return
    for func in ctx.functions:
        deco = ctx.fixture_call(func)
        if isinstance(func, ast.AsyncFunctionDef) and isinstance(deco, ast.Call) and ctx.is_asyncio_fixture(func):
            scope = constant(kwarg(deco, "scope"))
            if scope in ("class", "module", "package", "session") and kwarg(deco, "loop_scope") is None:
                yield deco, f"{func.name} (scope={scope!r})"


def marker_scope(ctx):
    for call in ctx.calls:
        if ctx.qual(call.func) == "pytest.mark.asyncio" and kwarg(call, "scope") is not None:
            yield call


FIXTURE_BAD = '''
import pytest

@pytest.fixture
async def client():
    yield "client"
'''
FIXTURE_GOOD = '''
import pytest_asyncio

@pytest_asyncio.fixture
async def client():
    yield "client"
'''

STRICT = {"pytest.ini": "[pytest]\nasyncio_mode = strict\n"}
STRICT_DEFAULT = {"pytest-asyncio": ">=0.19"}  # strict mode is the default since 0.19 (the write-up)

RULES = [
    Rule(code="KB250", needs=('fixture',), entry=ENTRY, name="async-fixture-declared-with-pytest-fixture",
         check=async_fixture_declared_with_pytest, versions=STRICT_DEFAULT,
         message="an async fixture declared with @pytest.fixture in strict mode: pytest-asyncio does not "
                 "run it (the test gets the coroutine or async generator)",
         fix="declare it with @pytest_asyncio.fixture (or set asyncio_mode = auto)", beside=STRICT,
         flags=(FIXTURE_BAD,), passes=(FIXTURE_GOOD,)),
    Rule(code="KB251", needs=('async def',), entry=ENTRY, name="async-test-without-asyncio-marker", check=async_test_without_marker, versions=STRICT_DEFAULT,
         message="an async test without @pytest.mark.asyncio in strict mode: it is not run (skipped with a "
                 "warning, or failed on pytest >= 8.4)",
         fix="mark it @pytest.mark.asyncio (or a module-level pytestmark, or asyncio_mode = auto)", beside=STRICT,
         flags=("async def test_echo():\n    assert True\n",),
         passes=("import pytest\n\n@pytest.mark.asyncio\nasync def test_echo():\n    assert True\n",
                 "from django.test import SimpleTestCase\n\nclass T(SimpleTestCase):\n"
                 "    async def test_echo(self):\n        pass\n")),
    Rule(code="KB252", needs=('asyncio',), entry=ENTRY, name="asyncio-run-in-sync-fixture", check=asyncio_run_in_sync_fixture,
         versions={"pytest-asyncio": ">=0.22,<1.2"},
         message="asyncio.run() in a sync fixture: on pytest-asyncio 0.22-1.1 the async test that follows "
                 "fails with 'There is no current event loop'",
         fix="make the fixture async (@pytest_asyncio.fixture, await instead of asyncio.run), or use "
             "pytest-asyncio 1.2+",
         flags=("import asyncio\nimport pytest\n\n@pytest.fixture\ndef seeded():\n    asyncio.run(seed())\n\n\n"
                "async def test_a(seeded):\n    pass\n",),
         passes=("import pytest_asyncio\n\n@pytest_asyncio.fixture\nasync def seeded():\n    await seed()\n",)),
    Rule(code="KB253", needs=('event_loop',), entry=ENTRY, name="event-loop-fixture-requested", check=event_loop_requested,
         versions={"pytest-asyncio": ">=1.0"},
         message="requests the event_loop fixture, which pytest-asyncio 1.0 removed ('fixture event_loop "
                 "not found')",
         fix="make the fixture or test async and await directly (asyncio.get_running_loop() where a "
             "loop object is needed)",
         flags=("import pytest\n\n@pytest.fixture\ndef echo(event_loop):\n"
                "    return event_loop.run_until_complete(make())\n",),
         passes=("import pytest_asyncio\n\n@pytest_asyncio.fixture\nasync def echo():\n    return await make()\n",)),
    Rule(code="KB254", needs=('event_loop',), entry=ENTRY, name="event-loop-fixture-overridden", check=event_loop_overridden,
         versions={"pytest-asyncio": ">=0.23"},
         message="redefines the event_loop fixture: deprecated from pytest-asyncio 0.23 (an error under "
                 "filterwarnings = error), not used from 1.0",
         fix="drop it; give wider fixtures and tests loop_scope= (0.24+) or scope= on the marker (0.23)",
         flags=("import asyncio\nimport pytest\n\n@pytest.fixture(scope='session')\ndef event_loop():\n"
                "    loop = asyncio.new_event_loop()\n    yield loop\n    loop.close()\n",),
         passes=("import pytest\n\n@pytest.mark.asyncio(loop_scope='session')\nasync def test_a():\n    pass\n",)),
    Rule(code="KB255", needs=('event_loop_policy',), entry=ENTRY, name="event-loop-policy-overridden", check=event_loop_policy_overridden,
         versions={"pytest-asyncio": ">=1.4"},
         message="overrides the event_loop_policy fixture, deprecated from pytest-asyncio 1.4 (an error "
                 "under filterwarnings = error)",
         fix="use the pytest_asyncio_loop_factories hook (pytest-asyncio 1.4+)",
         flags=("import asyncio\nimport pytest\n\n@pytest.fixture(scope='session')\ndef event_loop_policy():\n"
                "    return asyncio.DefaultEventLoopPolicy()\n",),
         passes=("import pytest\n\n@pytest.fixture(scope='session')\ndef policy():\n    return None\n",)),
    Rule(code="KB256", needs=('scope',), entry=ENTRY, name="wide-async-fixture-function-loop", check=wide_fixture_function_loop,
         versions={"pytest-asyncio": ">=0.24"},
         message="an async fixture wider than a function without loop_scope=, while fixtures' loops are "
                 "function-scoped: a ScopeMismatch from pytest-asyncio 0.24",
         fix="give it the loop scope of its scope: @pytest_asyncio.fixture(scope=\"session\", loop_scope=\"session\")",
         flags=("import pytest_asyncio\n\n@pytest_asyncio.fixture(scope='session')\nasync def server():\n"
                "    yield 1\n",),
         passes=("import pytest_asyncio\n\n@pytest_asyncio.fixture(scope='session', loop_scope='session')\n"
                 "async def server():\n    yield 1\n",)),
    Rule(code="KB257", needs=('scope',), entry=ENTRY, name="asyncio-marker-scope", check=marker_scope,
         versions={"pytest-asyncio": ">=0.24"},
         message="pytest.mark.asyncio(scope=...): deprecated from pytest-asyncio 0.24 (loop_scope=)",
         fix="write @pytest.mark.asyncio(loop_scope=...)",
         flags=("import pytest\n\n@pytest.mark.asyncio(scope='module')\nasync def test_a():\n    pass\n",),
         passes=("import pytest\n\n@pytest.mark.asyncio(loop_scope='module')\nasync def test_a():\n    pass\n",)),
]
