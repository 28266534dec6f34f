"""live-server-parallel: ``ChannelsLiveServerTestCase`` classes run by Django's ``--parallel``
runner (daemonic pool workers may not start the server process), and ``_pre_setup`` extended as
an instance method on Django >= 5.2 (which calls it on the class)."""

import ast

from ..context import constant, dotted
from ..model import Rule

ENTRY = "live-server-parallel"
LIVE = "ChannelsLiveServerTestCase"


def is_live(ctx, cls, depth: int = 0) -> bool:
    """The class derives from ChannelsLiveServerTestCase (through classes of this file or of
    project modules)."""
    if depth > 4:
        return False
    for base in cls.bases:
        name = dotted(base)
        if ctx.qual(base).rpartition(".")[2] == LIVE:
            return True
        if "." not in name and name in ctx.classes and name not in ctx.imports and ctx.classes[name] is not cls:
            if is_live(ctx, ctx.classes[name], depth + 1):
                return True
        module, _, attr = ctx.qual(base).rpartition(".")
        other = ctx.project.module(module) if module else None
        if other is not None and attr in other.classes and is_live(other, other.classes[attr], depth + 1):
            return True
    return False


def instance_pre_setup(ctx):
    for cls in ctx.classes.values():
        for stmt in cls.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "_pre_setup" and stmt.args.args \
                    and stmt.args.args[0].arg == "self" \
                    and not any(dotted(d) in ("classmethod", "staticmethod") for d in stmt.decorator_list) \
                    and is_live(ctx, cls):
                yield stmt, f"{cls.name}._pre_setup(self)"


def test_classes(module) -> tuple[list[str], int]:
    """``(live-server class names, number of TestCase classes)`` of a module."""
    cases = sorted((c for c in module.classes.values() if module.is_testcase(c) or is_live(module, c)),
                   key=lambda c: c.lineno)
    return [c.name for c in cases if is_live(module, c)], len(cases)


def parallel_runs(ctx):
    """An argv (a list or tuple of strings) of Django's runner (``test`` and ``--parallel``, not
    ``--parallel 1``, no ``--exclude-tag``) over labels whose modules hold a live-server class
    and at least one more test class (with one class Django runs no pool)."""
    for node in ctx.nodes:
        if not isinstance(node, (ast.List, ast.Tuple)):
            continue
        words = [constant(e) for e in node.elts]
        strings = [w for w in words if isinstance(w, str)]
        if "test" not in strings or any(w.startswith("--exclude-tag") for w in strings):
            continue
        at = next((i for i, w in enumerate(words) if isinstance(w, str) and w.startswith("--parallel")), None)
        if at is None:
            continue
        value = words[at].partition("=")[2] or (words[at + 1] if at + 1 < len(words) else None)
        if value == "1" or value == 1:
            continue
        start = words.index("test") + 1
        labels = [w for w in words[start:at] if isinstance(w, str) and not w.startswith("-")]
        live, total = [], 0
        for label in labels:
            module = ctx.project.module(label) or ctx.project.module(label.rpartition(".")[0])
            if module is not None:
                names, count = test_classes(module)
                live += names
                total += count
        if live and total >= 2:
            yield node, f"{', '.join(live[:2])} under --parallel"


RULES = [
    Rule(code="KB340", needs=("_pre_setup",), entry=ENTRY, name="pre-setup-instance-override", check=instance_pre_setup,
         versions={"django": ">=5.2"},
         message="a ChannelsLiveServerTestCase subclass extends _pre_setup as an instance method: Django >= 5.2's "
                 "setUpClass calls cls._pre_setup(), TypeError: ..._pre_setup() missing 1 required positional "
                 "argument: 'self'",
         fix="move the per-test set-up to setUp (once per class: setUpClass, a classmethod), never _pre_setup; "
             "with channels >= 4.3.0",
         fixes={"channels": {"<4.3.0": "upgrade to channels >= 4.3.0 (channels < 4.3's own _pre_setup fails on "
                                       "Django >= 5.2 too), and move the per-test set-up to setUp"}},
         flags=('''
from channels.testing import ChannelsLiveServerTestCase


class ChatTests(ChannelsLiveServerTestCase):
    def _pre_setup(self):
        super()._pre_setup()
        self.room = "lobby"

    def test_join(self):
        assert self.room == "lobby"
''',),
         passes=('''
from channels.testing import ChannelsLiveServerTestCase


class ChatTests(ChannelsLiveServerTestCase):
    def setUp(self):
        super().setUp()
        self.room = "lobby"

    def test_join(self):
        assert self.room == "lobby"
''',)),
    Rule(code="KB341", needs=("--parallel",), entry=ENTRY, name="live-server-under-parallel-runner", check=parallel_runs,
         message="Django's test runner with --parallel over ChannelsLiveServerTestCase classes: its pool workers are "
                 "daemons, and setUpClass fails with AssertionError: daemonic processes are not allowed to have "
                 "children (without tblib the run stops: cannot pickle 'traceback' object)",
         fix="tag the live-server classes (@tag(\"live\")) and run them apart: test --parallel --exclude-tag live, "
             "then test --tag live; install tblib for parallel runs",
         beside={"live_suite.py": '''
from channels.testing import ChannelsLiveServerTestCase
from django.test import SimpleTestCase, tag


@tag("live")
class ChatTests(ChannelsLiveServerTestCase):
    def test_join(self):
        pass


class PlainTests(SimpleTestCase):
    def test_arithmetic(self):
        self.assertEqual(1 + 1, 2)
'''},
         flags=('''# live_suite.py (beside): a live-server class and a plain one
import subprocess
import sys


def test_suite_in_parallel():
    run = subprocess.run([sys.executable, "-m", "django", "test", "live_suite", "--parallel", "2"], timeout=240)
    assert run.returncode == 0
''',),
         passes=('''# live_suite.py (beside): a live-server class and a plain one
import subprocess
import sys


def test_suite_in_parallel():
    for argv in (["test", "live_suite", "--parallel", "2", "--exclude-tag", "live"], ["test", "live_suite", "--tag", "live"]):
        run = subprocess.run([sys.executable, "-m", "django", *argv], timeout=240)
        assert run.returncode == 0
''',)),
]
