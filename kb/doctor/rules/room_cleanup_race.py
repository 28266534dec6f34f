"""room-cleanup-race: a ``disconnect`` that checks shared state, awaits, then deletes."""

import ast

from ..model import Rule

ENTRY = "room-cleanup-race"


def deletes(node) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Delete) and any(isinstance(t, ast.Subscript) for t in sub.targets):
            return True
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) and sub.func.attr in ("adelete", "delete") \
                and not sub.args:
            return True
    return False


def check_await_delete(ctx):
    for func in ctx.functions:
        if not isinstance(func, ast.AsyncFunctionDef) or func.name != "disconnect":
            continue
        awaited = False
        for stmt in func.body:
            if isinstance(stmt, ast.If) and awaited and deletes(stmt):
                yield stmt, f"{func.name}() decides at line {stmt.lineno} after an await"
                break
            if any(isinstance(n, ast.Await) for n in ast.walk(stmt)):
                awaited = True


RULES = [
    Rule(code="KB290", needs=('disconnect',), entry=ENTRY, name="check-await-delete", check=check_await_delete,
         message="disconnect() checks shared state, awaits, then deletes: two disconnects interleave at "
                 "the await and both delete (KeyError, DoesNotExist)",
         fix="make check-and-delete one step without an await between (dict.pop(key, None), a "
             "conditional delete in the database: filter(...).adelete()), or hold one lock across both",
         flags=('''
ROOMS = {}

class GameConsumer:
    async def disconnect(self, code):
        room = ROOMS.get(self.room, set())
        room.discard(self.channel_name)
        await self.channel_layer.group_discard(self.group, self.channel_name)
        if not room:
            del ROOMS[self.room]
''',),
         passes=('''
ROOMS = {}

class GameConsumer:
    async def disconnect(self, code):
        room = ROOMS.get(self.room, set())
        room.discard(self.channel_name)
        if not room:
            ROOMS.pop(self.room, None)
        await self.channel_layer.group_discard(self.group, self.channel_name)
''',)),
]
