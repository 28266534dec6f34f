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


def importers(ctx, module: str, name: str):
    """Project modules that run ``from module import name`` (the test file's project imports, two
    levels deep, and every file of the scan)."""
    seen, found = set(), []
    todo = [(c, 2) for c in ctx.project.scanned()] + [(ctx, 0)]  # popped from the end: ctx first
    while todo:
        here, depth = todo.pop()
        if here is None or here.path in seen:
            continue
        seen.add(here.path)
        if here.imports.get(name) == f"{module}.{name}" and here is not ctx:
            found.append(here)
        if depth < 2:
            for qualified in set(here.imports.values()):
                for candidate in (qualified, qualified.rpartition(".")[0]):
                    other = here.project.module(candidate)
                    if other is not None:
                        todo.append((other, depth + 1))
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
        users = importers(ctx, module, attr)
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
