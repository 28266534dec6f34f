"""close-codes: ``close(code=...)`` with an ``IntEnum`` member, which autobahn (Daphne) refuses."""

import ast

from ..context import dotted, kwarg
from ..model import Rule

ENTRY = "close-codes"
INT_ENUMS = ("IntEnum", "IntFlag", "HTTPStatus")


def enum_classes(ctx) -> set[str]:
    found = {"HTTPStatus"}
    for cls in ctx.nodes:
        if isinstance(cls, ast.ClassDef) and any(ctx.qual(b).rpartition(".")[2] in INT_ENUMS for b in cls.bases):
            found.add(cls.name)
    for name, qualified in ctx.imports.items():
        module, _, attr = qualified.rpartition(".")
        other = ctx.project.module(module) if module else None
        if other is not None and attr in other.classes and any(
                other.qual(b).rpartition(".")[2] in INT_ENUMS for b in other.classes[attr].bases):
            found.add(name)
    return found


def defines_close(ctx, cls, depth: int = 0) -> bool:
    """The class or a project base of it overrides ``close`` (a wrapper that may convert)."""
    if cls is None or depth > 5:
        return False
    if any(isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef)) and f.name == "close" for f in cls.body):
        return True
    for base in cls.bases:
        if isinstance(base, ast.Name) and base.id in ctx.classes and base.id not in ctx.imports:
            if defines_close(ctx, ctx.classes[base.id], depth + 1):
                return True
        elif isinstance(base, ast.Name) and base.id in ctx.imports:
            module, _, attr = ctx.imports[base.id].rpartition(".")
            other = ctx.project.module(module)
            if other is not None and defines_close(other, other.classes.get(attr), depth + 1):
                return True
    return False


def enum_close_code(ctx):
    enums = None
    for call in ctx.calls:
        if not (isinstance(call.func, ast.Attribute) and call.func.attr == "close"):
            continue
        code = kwarg(call, "code")
        if isinstance(code, ast.Attribute) and isinstance(code.value, (ast.Name, ast.Attribute)):
            enums = enums if enums is not None else enum_classes(ctx)
            owner = code.value.attr if isinstance(code.value, ast.Attribute) else code.value.id
            if owner in enums and not (dotted(call.func.value) == "self" and defines_close(ctx, ctx.class_of(call))):
                yield code, ctx.text(code)


RULES = [
    Rule(code="KB130", needs=('close(',), entry=ENTRY, name="intenum-close-code", check=enum_close_code,
         message="close(code=...) with an IntEnum member: a communicator test passes, but under Daphne "
                 "autobahn refuses a code that is not exactly int and the client gets 1011",
         fix="pass an int: close(code=int(AppCode.LEFT)) (or AppCode.LEFT.value)",
         flags=('''
from enum import IntEnum

class AppCode(IntEnum):
    LEFT = 4000

class C:
    async def leave(self):
        await self.close(code=AppCode.LEFT)
''',),
         passes=('''
from enum import IntEnum

class AppCode(IntEnum):
    LEFT = 4000

class C:
    async def leave(self):
        await self.close(code=int(AppCode.LEFT))
''',)),
]
