"""What a rule sees of one file (``FileContext``; the project around it is ``kb.doctor.project``).

Pure ``ast``: nothing of the scanned project is imported. A name is followed to where it is
made: a local assignment, a fixture (in the file or a ``conftest.py`` above it), a module-level
assignment, or a project module it is imported from (found on the project's roots, not on
``sys.path``)."""

import ast
from functools import cached_property
from pathlib import Path

FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "manage.py", ".git")


def dotted(node) -> str:
    """``a.b.c`` for a Name/Attribute chain (calls and subscripts cut it: ``f().x`` -> ``x``)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def kwarg(call: ast.Call, name: str, position: int | None = None):
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if position is not None and len(call.args) > position and not any(
            isinstance(a, ast.Starred) for a in call.args[:position + 1]):
        return call.args[position]
    return None


#: the fields of each node type that may hold nodes (``ctx``'s Load/Store left out)
_FIELDS: dict[type, tuple[str, ...]] = {}


def constant(node, default=None):
    return node.value if isinstance(node, ast.Constant) else default


class FileContext:
    def __init__(self, path: Path, source: str, project, tree: ast.Module | None = None):
        self.path, self.source, self.project = path, source, project
        self.tree = tree if tree is not None else ast.parse(source, str(path))
        self.lines = source.splitlines()
        self.parents, self.children, self.nodes, self._qual = {}, {}, [], {}
        #: per-node answers kept (walks, last names, returns, enclosing functions), fixtures
        #: by name, and what rules keep of this file (``memo``)
        self._walks, self._last, self._returned, self._function_of = {}, {}, {}, {}
        self._fixtures, self._memo = {}, {}
        self.calls, self.functions, self.imports, self.assigns, self.defs, self.classes = [], [], {}, {}, {}, {}
        nodes, parents, children, todo, AST = self.nodes, self.parents, self.children, [self.tree], ast.AST
        fields_of = _FIELDS
        while todo:  # one pass: every node (not Load/Store), its parent, its children, the indexes below
            node = todo.pop()
            nodes.append(node)
            kind = type(node)
            if kind is ast.Call:
                self.calls.append(node)
            elif kind in FUNCTIONS:
                self.functions.append(node)
                self.defs.setdefault(node.name, node)
            elif kind is ast.ClassDef:
                self.classes.setdefault(node.name, node)
            elif kind is ast.Import or kind is ast.ImportFrom:
                self.add_import(node)
            fields = fields_of.get(kind)
            if fields is None:
                fields = fields_of[kind] = tuple(f for f in kind._fields if f != "ctx")
            kids = []
            for name in fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, AST):
                            kids.append(item)
                elif isinstance(value, AST):
                    kids.append(value)
            if kids:
                children[node] = kids
                for item in kids:
                    parents[item] = node
                todo += kids
        self.top_imports = {}  #: imports run at import time (not in functions, not TYPE_CHECKING)
        statements = list(self.tree.body)
        while statements:
            node = statements.pop()
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                saved, self.imports = self.imports, self.top_imports
                self.add_import(node)
                self.imports = saved
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in dotted(node.test):
                statements += node.body + node.orelse
            elif isinstance(node, ast.Try):
                statements += node.body + [s for h in node.handlers for s in h.body] + node.orelse
        for node in self.tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.assigns[target.id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                self.assigns[node.target.id] = node.value

    def add_import(self, node) -> None:
        if isinstance(node, ast.Import):
            for a in node.names:
                self.imports[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif node.module and not node.level:
            for a in node.names:
                self.imports[a.asname or a.name] = f"{node.module}.{a.name}"
        elif node.level:
            base = self.package_of(node.level)
            for a in node.names:
                self.imports[a.asname or a.name] = ".".join(filter(None, [base, node.module, a.name]))

    def package_of(self, level: int) -> str:
        name = self.project.module_name(self.path) or ""
        parts = name.split(".")
        return ".".join(parts[:len(parts) - level]) if len(parts) >= level else ""

    def memo(self, key, make):
        """A value computed once per file (rules keep their indexes of a file here)."""
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key]

    # --- names ---------------------------------------------------------------------------
    def qual(self, node) -> str:
        """The dotted name with its first part resolved through this file's imports."""
        found = self._qual.get(node)
        if found is None:
            name = dotted(node)
            head, _, rest = name.partition(".")
            found = self._qual[node] = ".".join(filter(None, [self.imports.get(head, head), rest]))
        return found

    def last(self, call: ast.Call) -> str:
        found = self._last.get(call)
        if found is None:
            found = self._last[call] = dotted(call.func).rpartition(".")[2]
        return found

    def walk(self, node) -> list:
        """``node`` and every node below it, in ``ast.walk``'s order (breadth first) but without
        the Load/Store/Del contexts; from this file's index, kept. A node of another tree is walked
        by ``ast.walk``."""
        found = self._walks.get(node)
        if found is None:
            if node is not self.tree and node not in self.parents:
                return list(ast.walk(node))
            found, children, at = [node], self.children, 0
            while at < len(found):
                kids = children.get(found[at])
                if kids is not None:
                    found += kids
                at += 1
            self._walks[node] = found
        return found

    def function_of(self, node):
        key = node
        if key in self._function_of:
            return self._function_of[key]
        node = self.parents.get(node)
        while node is not None and not isinstance(node, FUNCTIONS + (ast.Lambda,)):
            node = self.parents.get(node)
        found = self._function_of[key] = node if isinstance(node, FUNCTIONS) else None
        return found

    def class_of(self, node):
        node = self.parents.get(node)
        while node is not None and not isinstance(node, ast.ClassDef):
            node = self.parents.get(node)
        return node

    def in_async(self, node) -> bool:
        return isinstance(self.function_of(node), ast.AsyncFunctionDef)

    def text(self, node) -> str:
        return ast.get_source_segment(self.source, node) or ""

    # --- pytest --------------------------------------------------------------------------
    def fixture_call(self, func):
        """The ``@pytest.fixture``/``@pytest_asyncio.fixture`` decorator (a Call or a name)."""
        for deco in func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            if self.qual(target) in ("pytest.fixture", "pytest_asyncio.fixture",
                                     "pytest_asyncio.plugin.fixture"):
                return deco
        return None

    def is_asyncio_fixture(self, func) -> bool:
        deco = self.fixture_call(func)
        target = deco.func if isinstance(deco, ast.Call) else deco
        return deco is not None and self.qual(target).startswith("pytest_asyncio")

    def is_test(self, func) -> bool:
        if not func.name.startswith("test"):
            return False
        owner = self.class_of(func)
        return owner is None or owner.name.startswith("Test") or self.is_testcase(owner)

    def is_testcase(self, cls) -> bool:
        return any(dotted(b).rpartition(".")[2].endswith(("TestCase", "TestCase_")) for b in cls.bases)

    def marks(self, func) -> set[str]:
        """The ``pytest.mark.X`` names on the function, its class and the module's ``pytestmark``."""
        found = set()
        holders = [func.decorator_list]
        owner = self.class_of(func)
        if owner is not None:
            holders.append(owner.decorator_list)
            holders += [s.value for s in owner.body if isinstance(s, ast.Assign)
                        and any(dotted(t) == "pytestmark" for t in s.targets)]
        if "pytestmark" in self.assigns:
            holders.append(self.assigns["pytestmark"])
        for holder in holders:
            for top in holder if isinstance(holder, list) else [holder]:
                for node in self.walk(top):
                    name = self.qual(node) if isinstance(node, ast.Attribute) else ""
                    if name.startswith("pytest.mark."):
                        found.add(name.split(".")[2])
        return found

    def fixture(self, name: str):
        """``(context, function)`` of the fixture ``name`` seen from this file, or None."""
        fixtures = self._fixtures
        if name not in fixtures:
            fixtures[name] = None
            for ctx in self.memo("fixture_scope", lambda: [self, *self.project.conftests(self.path)]):
                func = ctx.defs.get(name)
                if func is not None and ctx.fixture_call(func) is not None:
                    fixtures[name] = ctx, func
                    break
        return fixtures[name]

    def returned(self, func) -> list:
        """The expressions ``func`` returns or yields (its own, not nested functions')."""
        found = self._returned.get(func)
        if found is None:
            found = self._returned[func] = [
                node.value for node in self.walk(func) if isinstance(node, (ast.Return, ast.Yield))
                and node.value is not None and self.function_of(node) is func]
        return list(found)

    # --- following a name to its value ----------------------------------------------------
    def values_of(self, node, depth: int = 0) -> list[tuple["FileContext", ast.AST]]:
        """Where the value of ``node`` is made: ``[(context, expression)]`` (may be empty)."""
        if depth > 4:
            return []
        if not isinstance(node, ast.Name):
            return [(self, node)]
        func = self.function_of(node)
        if func is not None:
            local = [n.value for n in self.walk(func) if isinstance(n, ast.Assign)
                     and any(isinstance(t, ast.Name) and t.id == node.id for t in n.targets)
                     and n.lineno <= node.lineno]
            if local:
                return [v for value in local[-1:] for v in self.values_of(value, depth + 1)]
            if node.id in {a.arg for a in func.args.args + func.args.kwonlyargs}:
                found = self.fixture(node.id)
                if found:
                    ctx, fixture = found
                    return [v for r in ctx.returned(fixture) for v in ctx.values_of(r, depth + 1)]
                return []
        if node.id in self.assigns:
            return self.values_of(self.assigns[node.id], depth + 1)
        if node.id in self.imports:
            module, _, attr = self.imports[node.id].rpartition(".")
            other = self.project.module(module)
            if other is not None and attr in other.assigns:
                return other.values_of(other.assigns[attr], depth + 1)
        return []

    def callee(self, call: ast.Call):
        """``(context, function)`` a call runs, when it is a function of this file or of a
        project module; else None."""
        name = dotted(call.func)
        if "." not in name and name in self.defs and name not in self.imports:
            return self, self.defs[name]
        module, _, attr = self.qual(call.func).rpartition(".")
        other = self.project.module(module) if module else None
        if other is not None and attr in other.defs:
            return other, other.defs[attr]
        return None

    def builds(self, node, names: tuple[str, ...], depth: int = 0, accept=None) -> bool:
        """Whether the value of ``node`` is made by a call to a class or function named in
        ``names`` (by its last part), following names, fixtures and project functions;
        ``accept(context, call)`` may turn such a call down."""
        if depth > 4:
            return False
        for ctx, value in self.values_of(node):
            for sub in ctx.walk(value):
                if not isinstance(sub, ast.Call):
                    continue
                if ctx.last(sub) in names or ctx.qual(sub.func).rpartition(".")[2] in names:
                    if accept is None or accept(ctx, sub):
                        return True
                    continue
                target = ctx.callee(sub)
                if target and any(target[0].builds(r, names, depth + 1, accept) for r in target[0].returned(target[1])):
                    return True
        return False

    def reachable(self, depth: int = 3) -> list["FileContext"]:
        """Project modules this file imports, and theirs, ``depth`` levels deep (this file first)."""
        seen, order, frontier = {self.path}, [self], [self]
        for _ in range(depth):
            following = []
            for here in frontier:
                for qualified in sorted(set(here.imports.values())):
                    for candidate in (qualified, qualified.rpartition(".")[0]):
                        other = self.project.module(candidate) if candidate else None
                        if other is not None and other.path not in seen:
                            seen.add(other.path)
                            order.append(other)
                            following.append(other)
                            break
            frontier = following
        return order

    # --- configuration ----------------------------------------------------------------------
    @cached_property
    def pytest_ini(self) -> dict:
        return self.project.pytest_config(self.path.parent)
