"""async-test-database: async tests whose consumer (another thread, another connection) runs
against rows held in the test's rolled-back transaction, and Django ``TestCase``s whose connection
Channels closes."""

import ast

from ..context import constant, kwarg
from ..model import Rule

ENTRY = "async-test-database"
ASYNC_ORM = {"aget", "acreate", "acount", "aexists", "aget_or_create", "aupdate_or_create", "adelete",
             "asave", "aupdate", "afirst", "alast", "abulk_create", "aadd", "aremove", "aset"}


def crosses_threads(ctx, func) -> bool:
    """The test talks to a consumer, or queries through another thread."""
    for node in ctx.walk(func):
        if isinstance(node, ast.Call):
            last = ctx.last(node)
            if "ommunicator" in last or last in ASYNC_ORM or last == "database_sync_to_async":
                return True
    return False


def uses_db(ctx, func, depth: int = 0) -> bool:
    """``db`` requested directly or through fixtures (not ``transactional_db``)."""
    if depth > 4:
        return False
    for arg in func.args.args:
        if arg.arg == "db":
            return True
        if arg.arg in ("transactional_db", "live_server"):
            return False
        found = ctx.fixture(arg.arg)
        if found and uses_db(found[0], found[1], depth + 1):
            return True
    return False


def rolled_back(ctx, func) -> bool:
    for deco in func.decorator_list + ([] if ctx.class_of(func) is None else ctx.class_of(func).decorator_list):
        if isinstance(deco, ast.Call) and ctx.qual(deco.func) == "pytest.mark.django_db":
            return constant(kwarg(deco, "transaction"), False) is not True
        if ctx.qual(deco) == "pytest.mark.django_db":
            return True
    return uses_db(ctx, func)


WRITES = {"create", "create_user", "create_superuser", "save", "bulk_create", "get_or_create",
          "update_or_create"}


def rows_on_test_thread(ctx, func, depth: int = 0) -> bool:
    """A synchronous fixture the test requests (or one they request) writes rows: on the test's
    thread, inside its transaction."""
    if depth > 4:
        return False
    for arg in func.args.args:
        found = ctx.fixture(arg.arg)
        if not found:
            continue
        owner, fixture = found
        if isinstance(fixture, ast.FunctionDef) and any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr in WRITES
                for n in owner.walk(fixture)):
            return True
        if rows_on_test_thread(owner, fixture, depth + 1):
            return True
    return False


def async_test_in_transaction(ctx):
    for func in ctx.functions:
        if isinstance(func, ast.AsyncFunctionDef) and ctx.is_test(func) and ctx.class_of(func) is None \
                and rolled_back(ctx, func) and crosses_threads(ctx, func) and rows_on_test_thread(ctx, func):
            yield func, func.name


def closes_on_every_version(ctx, func) -> bool:
    """A communicator's ``disconnect()`` or the test's own ``database_sync_to_async``: Channels
    closes the connection there on every version (4.2 stopped it only while a communicator
    sends or receives, as the write-up says)."""
    return any(isinstance(n, ast.Call) and (ctx.last(n) == "database_sync_to_async" or (
        isinstance(n.func, ast.Attribute) and n.func.attr == "disconnect")) for n in ctx.walk(func))


def testcase_closed_connection(ctx):
    for cls in ctx.nodes:
        if not isinstance(cls, ast.ClassDef):
            continue
        bases = [ctx.qual(b).rpartition(".")[2] for b in cls.bases]
        if "TestCase" not in bases or any("close_old_connections" in ctx.text(n) for n in [cls, *cls.decorator_list]):
            continue
        tests = [f for f in cls.body if isinstance(f, ast.AsyncFunctionDef) and f.name.startswith("test")
                 and closes_on_every_version(ctx, f)]
        if tests and ctx.qual(cls.bases[bases.index("TestCase")]).startswith("django.test"):
            yield cls, f"{cls.name}.{tests[0].name}"


RULES = [
    Rule(code="KB100", needs=('async def',), entry=ENTRY, name="async-test-in-rolled-back-transaction", check=async_test_in_transaction,
         message="an async test on pytest-django's rolled-back db, with rows a fixture wrote, talks to a "
                 "consumer or the async ORM: they run on another thread and connection, which cannot see "
                 "those rows "
                 "(DoesNotExist on PostgreSQL, 'database table is locked' on SQLite)",
         fix="@pytest.mark.django_db(transaction=True) (transactional_db), and close the worker thread's "
             "connections after the test",
         flags=('''
import pytest
from channels.testing import WebsocketCommunicator

@pytest.fixture
def dora(db):
    from django.contrib.auth.models import User

    return User.objects.create(username="dora")


@pytest.mark.asyncio
async def test_profile(app, dora):
    comm = WebsocketCommunicator(app, f"/ws/profile/{dora.pk}/")
    assert (await comm.connect())[0]
''',),
         passes=('''
import pytest
from channels.testing import WebsocketCommunicator

@pytest.fixture
def dora(transactional_db):
    from django.contrib.auth.models import User

    return User.objects.create(username="dora")


@pytest.mark.asyncio
async def test_profile(app, dora):
    comm = WebsocketCommunicator(app, f"/ws/profile/{dora.pk}/")
    assert (await comm.connect())[0]
''',)),
    Rule(code="KB101", needs=('TestCase',), entry=ENTRY, name="testcase-async-consumer", check=testcase_closed_connection,
         message="a Django TestCase whose async test disconnects a communicator or calls "
                 "database_sync_to_async: Channels' close_old_connections() closes the TestCase's "
                 "connection under the test",
         fix="@mock.patch(\"channels.db.close_old_connections\", lambda: None) on the class, or "
             "TransactionTestCase",
         flags=('''
from django.test import TestCase
from channels.testing import WebsocketCommunicator

class ProfileTests(TestCase):
    async def test_profile(self):
        comm = WebsocketCommunicator(app, "/ws/profile/1/")
        await comm.connect()
        await comm.disconnect()
''',),
         passes=('''
from unittest import mock
from django.test import TestCase
from channels.testing import WebsocketCommunicator

@mock.patch("channels.db.close_old_connections", lambda: None)
class ProfileTests(TestCase):
    async def test_profile(self):
        comm = WebsocketCommunicator(app, "/ws/profile/1/")
        await comm.connect()
        await comm.disconnect()
''',)),
]
