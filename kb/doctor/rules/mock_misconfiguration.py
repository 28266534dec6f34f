"""mock-misconfiguration: assertion look-alikes that check nothing, and ``patch()`` of a name
where it is defined while the code under test imported it into its own module."""

import ast

from ..context import constant
from ..model import Rule

ENTRY = "mock-misconfiguration"
LOOKALIKES = {"called_once", "called_once_with", "called_with", "awaited_once", "awaited_once_with",
              "awaited_with", "not_called", "not_awaited", "has_calls", "has_awaits", "any_call",
              "any_await", "called_with_once"}


def lookalike_assertions(ctx):
    for call in ctx.calls:
        if isinstance(call.func, ast.Attribute) and call.func.attr in LOOKALIKES:
            yield call, f".{call.func.attr}()"


def local_import(ctx, module: str, name: str) -> bool:
    """A function of the module imports the name again when it runs (so a patch reaches it)."""
    return any(isinstance(n, ast.ImportFrom) and n.module == module and any(a.name == name for a in n.names)
               and ctx.function_of(n) is not None for n in ctx.nodes)


def importers(ctx, module: str, name: str, used=None):
    """The project modules this test imports (the code under test; with ``used``, those whose
    imported names the test function uses) that ran ``from module import name`` at import time,
    so hold a copy a patch of ``module.name`` misses."""
    found, seen = [], set()
    for local, qualified in ctx.imports.items():
        if used is not None and local not in used:
            continue
        for candidate in (qualified, qualified.rpartition(".")[0]):
            other = ctx.project.module(candidate) if candidate else None
            if other is not None and other is not ctx and other.path not in seen:
                seen.add(other.path)
                if other.top_imports.get(name) == f"{module}.{name}" and not local_import(other, module, name):
                    found.append(other)
                break
    return found


def patch_where_defined(ctx):
    for call in ctx.calls:
        name = ctx.qual(call.func)
        if not (name in ("unittest.mock.patch", "mock.patch") or name.endswith("mocker.patch")
                or dotted_tail(call) == "mocker.patch"):
            continue
        target = constant(call.args[0]) if call.args else None
        if not isinstance(target, str) or target.count(".") < 1:
            continue
        module, _, attr = target.rpartition(".")
        if ctx.project.module(module) is not None:
            continue  # a project module: patched where it is looked up, presumably
        func = ctx.function_of(call)
        scope = func if func is not None else ctx.tree
        if any(isinstance(n, ast.Call) and ctx.last(n) == "reload" for n in ctx.walk(scope)):
            continue  # the module is imported again under the patch
        test = func
        if test is None and isinstance(ctx.parents.get(call), ast.FunctionDef):
            test = ctx.parents.get(call)  # a decorator: the test it decorates
        used = {n.id for n in ctx.walk(test) if isinstance(n, ast.Name)} if test is not None else None
        users = importers(ctx, module, attr, used)
        if func is None:  # a module-level patch: modules imported after it take the patched name
            later = {ctx.imports[n] for n in ctx.imports if any(
                isinstance(s, (ast.Import, ast.ImportFrom)) and s.lineno > call.lineno for s in ctx.tree.body)}
            users = [u for u in users if not any(ctx.project.module_name(u.path) in (q, q.rpartition(".")[0])
                                                 for q in later)]
        if users:
            where = ctx.project.module_name(users[0].path) or users[0].path.name
            yield call, f"{target!r} (imported into {where}: patch \"{where}.{attr}\")"


def dotted_tail(call) -> str:
    func = call.func
    return f"{func.value.id}.{func.attr}" if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""


RULES = [
    Rule(code="KB210", needs=('called_', 'awaited_', 'not_called', 'not_awaited', 'has_calls', 'has_awaits', 'any_call', 'any_await'), entry=ENTRY, name="assertion-lookalike", check=lookalike_assertions,
         message="a mock 'assertion' without assert_: it makes a child mock and checks nothing",
         fix="call the real assertion: m.assert_called_once(), m.assert_awaited_once_with(...)",
         fixes={"python": {"<3.12": "call the real assertion (m.assert_called_once()); on Python 3.11 this "
                                    "line passes silently",
                           ">=3.12": "call the real assertion (m.assert_called_once()); Python 3.12+ raises "
                                     "AttributeError for called_once*, but awaited_once* still passes on 3.12-3.13"}},
         flags=("from unittest.mock import AsyncMock\n\ndef test_a():\n    ws = AsyncMock()\n"
                "    assert ws.send_json.called_once()\n",),
         passes=("from unittest.mock import AsyncMock\n\ndef test_a():\n    ws = AsyncMock()\n"
                 "    ws.send_json.assert_called_once()\n",)),
    Rule(code="KB211", needs=('patch',), entry=ENTRY, name="patch-where-defined", check=patch_where_defined,
         message="patch() of a name where it is defined, while the code under test imported it into its "
                 "own module (that copy stays real)",
         fix="patch the name where it is looked up: patch(\"<the importing module>.<name>\")",
         # only the modules the test imports itself are judged: a copy further away may not be the
         # code this test exercises
         beside={"prices.py": "from redis.asyncio import Redis\n\n\ndef subscribe(symbol):\n"
                              "    return Redis.from_url('redis://localhost')\n"},
         flags=('''
# prices.py (beside this test) runs "from redis.asyncio import Redis"
from unittest.mock import patch
import prices

def test_a():
    with patch("redis.asyncio.Redis"):
        prices.subscribe("ACME")
''',),
         passes=('''
from unittest.mock import patch
import prices

def test_a():
    with patch("prices.Redis"):
        prices.subscribe("ACME")
''',)),
]
