"""live-server-testcase: what the live server's process cannot share with the test process (an
in-memory test database, the test database's name, unpicklable or import-time state)."""

import ast
import re

from ..context import constant
from ..model import Rule

ENTRY = "live-server-testcase"


def live_cases(ctx):
    return [c for c in ctx.nodes if isinstance(c, ast.ClassDef)
            and any(ctx.qual(b).rpartition(".")[2] == "ChannelsLiveServerTestCase" for b in c.bases)]


def process_classes(ctx):
    return [c for c in ctx.nodes if isinstance(c, ast.ClassDef)
            and any(ctx.qual(b).rpartition(".")[2] == "DaphneProcess" for b in c.bases)]


def settings_module(ctx):
    config = ctx.pytest_ini
    name = config.get("django_settings_module")
    if not name:
        for node in ctx.project.scanned():
            for call in node.calls:
                args = [constant(a) for a in call.args]
                if len(args) == 2 and args[0] == "DJANGO_SETTINGS_MODULE" and isinstance(args[1], str):
                    name = args[1]
                    break
            if name:
                break
    return ctx.project.module(name) if name else None


def default_database(settings, depth: int = 0):
    """The ``DATABASES["default"]`` dict literal of a settings module (star imports followed)."""
    if settings is None or depth > 3:
        return None
    for node in settings.nodes:  # DATABASES["default"]["TEST"] = ... set by code: not a literal to judge
        if isinstance(node, (ast.Assign, ast.AugAssign)) and any(
                isinstance(t, ast.Subscript) and "DATABASES" in settings.text(t) for t in
                (node.targets if isinstance(node, ast.Assign) else [node.target])):
            return None
    value = settings.assigns.get("DATABASES")
    if isinstance(value, ast.Dict):
        for key, item in zip(value.keys, value.values, strict=False):
            if constant(key) == "default" and isinstance(item, ast.Dict):
                return item
        return None
    for node in settings.tree.body:
        if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
            base = node.module if not node.level else ".".join(filter(None, [settings.package_of(node.level), node.module]))
            found = default_database(settings.project.module(base), depth + 1)
            if found is not None:
                return found
    return None


def database_without_test_name(ctx, engine_pattern):
    cases = live_cases(ctx)
    if not cases:
        return
    database = default_database(settings_module(ctx))
    if database is None:
        return
    items = {constant(k): v for k, v in zip(database.keys, database.values, strict=False)}
    engine = constant(items.get("ENGINE"))
    test = items.get("TEST")
    named = isinstance(test, ast.Dict) and any(constant(k) == "NAME" for k in test.keys)
    if isinstance(engine, str) and re.search(engine_pattern, engine) and not named:
        yield cases[0], f"{cases[0].name} (ENGINE {engine!r}, no TEST NAME)"


def in_memory(ctx):
    yield from database_without_test_name(ctx, r"sqlite3$")


def postgres_no_test_name(ctx):
    yield from database_without_test_name(ctx, r"postgresql")


def spawn_imports_models(ctx):
    processes = process_classes(ctx)
    if not processes or not live_cases(ctx):
        return
    for node in ctx.tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models"):
            yield processes[0], f"{processes[0].name}, with {node.module} imported at line {node.lineno}"
            return


def unpicklable_attribute(ctx):
    for cls in process_classes(ctx):
        for node in ctx.walk(cls):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Lambda) and any(
                    isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"
                    for t in node.targets):
                yield node, f"{cls.name}: {ctx.text(node.targets[0])} = lambda"


def closes_inherited(ctx):
    if not process_classes(ctx) and not any(ctx.last(c) == "DaphneProcess" for c in ctx.calls):
        return
    for call in ctx.calls:
        if ctx.qual(call.func).endswith("connections.close_all"):
            yield call


CASE = '''
from channels.testing import ChannelsLiveServerTestCase

class Live(ChannelsLiveServerTestCase):
    def test_a(self):
        pass
'''

RULES = [
    Rule(code="KB180", needs=('ChannelsLiveServerTestCase',), entry=ENTRY, name="live-server-in-memory-sqlite", check=in_memory,
         message="ChannelsLiveServerTestCase with SQLite and no TEST NAME: the test database is in memory, "
                 "which the server process cannot open (refused in setUpClass)",
         fix="give the test settings a file test database: DATABASES['default']['TEST'] = "
             "{'NAME': BASE_DIR / 'test_db.sqlite3'}",
         beside={"pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = settings\n",
                 "settings.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
                                "'NAME': 'db.sqlite3'}}\n"},
         flags=("# settings.py (beside): SQLite, no TEST NAME\n" + CASE,),
         passes=("# settings.py (beside): SQLite, no TEST NAME; no live server test here\n"
                 "from channels.testing import WebsocketCommunicator\n",)),
    Rule(code="KB181", needs=('ChannelsLiveServerTestCase',), entry=ENTRY, name="live-server-postgres-no-test-name", check=postgres_no_test_name,
         versions={"channels": ">=4.3.0"},
         message="ChannelsLiveServerTestCase on PostgreSQL without TEST NAME: channels 4.3.0's server opens "
                 "TEST.NAME (None: the postgres database), 4.3.1+ under fork asks for test_test_<NAME> (HTTP 500)",
         fix="name the test database in the settings module: DATABASES['default']['TEST'] = {'NAME': 'test_<NAME>'}",
         beside={"pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = settings\n",
                 "settings.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', "
                                "'NAME': 'app'}}\n"},
         flags=("# settings.py (beside): PostgreSQL, no TEST NAME\n" + CASE,),
         passes=("# settings.py (beside): PostgreSQL, no TEST NAME; no live server test here\n"
                 "from channels.testing import WebsocketCommunicator\n",)),
    Rule(code="KB182", needs=('DaphneProcess',), entry=ENTRY, name="server-process-class-imports-models", check=spawn_imports_models,
         message="a DaphneProcess subclass defined in a test module that imports models at import: under "
                 "spawn (macOS, Windows) the server process imports this module before django.setup() "
                 "(AppRegistryNotReady, 'Server stopped')",
         fix="define the process class in a module that imports no models (or import them inside the tests)",
         flags=('''
from channels.testing import ChannelsLiveServerTestCase
from daphne.testing import DaphneProcess
from django.contrib.auth.models import User

class ProjectDaphneProcess(DaphneProcess):
    pass

class Live(ChannelsLiveServerTestCase):
    ProtocolServerProcess = ProjectDaphneProcess
''',),
         passes=('''
from channels.testing import ChannelsLiveServerTestCase
from myproject.testing import ProjectDaphneProcess

class Live(ChannelsLiveServerTestCase):
    ProtocolServerProcess = ProjectDaphneProcess
''',)),
    Rule(code="KB183", needs=('DaphneProcess',), entry=ENTRY, name="server-process-holds-lambda", check=unpicklable_attribute,
         message="a lambda stored on the server process object: spawn pickles it in the test process and "
                 "fails (PicklingError; EOFError on Windows)",
         fix="store a module-level function instead of a lambda",
         flags=("from daphne.testing import DaphneProcess\n\nclass P(DaphneProcess):\n"
                "    def __init__(self, *a, **k):\n        super().__init__(*a, **k)\n"
                "        self.teardown = lambda: None\n",),
         passes=("from daphne.testing import DaphneProcess\n\ndef nothing():\n    pass\n\nclass P(DaphneProcess):\n"
                 "    def __init__(self, *a, **k):\n        super().__init__(*a, **k)\n"
                 "        self.teardown = nothing\n",)),
    Rule(code="KB184", needs=('close_all',), entry=ENTRY, name="server-process-closes-inherited-connections", check=closes_inherited,
         message="connections.close_all() in a forked server process: closing sends PostgreSQL's Terminate "
                 "on the socket shared with the test process, whose next query fails",
         fix="do not close inherited connections in the child; drop them without closing "
             "(connection.inc_thread_sharing / close the test's connection before the fork)",
         flags=("from daphne.testing import DaphneProcess\nfrom django.db import connections\n\n"
                "def setup():\n    connections.close_all()\n\nserver = DaphneProcess('127.0.0.1', app, setup=setup)\n",),
         passes=("from daphne.testing import DaphneProcess\n\nserver = DaphneProcess('127.0.0.1', app)\n",)),
]
