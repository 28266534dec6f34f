"""rate-limit-recursion: a consumer method whose refusal path calls the method itself."""

import ast

from ..context import dotted
from ..model import Rule

ENTRY = "rate-limit-recursion"


def self_recursion(ctx):
    for func in ctx.functions:
        owner = ctx.class_of(func)
        if owner is None or ctx.function_of(func) is not None or not any(
                dotted(b).rpartition(".")[2].endswith("Consumer") for b in owner.bases):
            continue  # a consumer's method
        for node in ctx.walk(func):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == func.name \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "self" \
                    and ctx.function_of(node) is func:
                yield node, f"{owner.name}.{func.name}"
                break


RULES = [
    Rule(code="KB260", needs=('Consumer',), entry=ENTRY, name="method-calls-itself", check=self_recursion,
         message="a method calls itself (an error sent through the same rate-limited path): a burst "
                 "recurses until RecursionError",
         fix="send the refusal past the limiter (self.send_json(...) directly), or count it separately",
         flags=('''
class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def send_message(self, message):
        if not self.limiter.allowed():
            await self.send_message({"type": "error", "code": "rate_limited"})
            return
        await self.send_json(message)
''',),
         passes=('''
class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def send_message(self, message):
        if not self.limiter.allowed():
            await self.send_json({"type": "error", "code": "rate_limited"})
            return
        await self.send_json(message)
''',)),
]
