"""no-current-event-loop: ``asyncio.get_event_loop()`` in synchronous test code."""

import ast

from ..model import Rule

ENTRY = "no-current-event-loop"


def get_event_loop_in_sync(ctx):
    for call in ctx.calls:
        if ctx.qual(call.func) != "asyncio.get_event_loop":
            continue
        func = ctx.function_of(call)
        if isinstance(func, ast.FunctionDef) and (ctx.is_test(func) or ctx.fixture_call(func) is not None
                                                 or func.name in ("setUp", "setUpClass", "tearDown",
                                                                  "setUpTestData", "tearDownClass")):
            yield call, func.name


RULES = [
    Rule(code="KB220", needs=('get_event_loop',), entry=ENTRY, name="get-event-loop-in-sync-test", check=get_event_loop_in_sync,
         message="asyncio.get_event_loop() in synchronous test code: after any asyncio.run() there is "
                 "no current loop ('There is no current event loop'; always an error from Python 3.14)",
         fix="make the test async (@pytest.mark.asyncio, await), or own a loop: "
             "loop = asyncio.new_event_loop() ... loop.close(), or asyncio.run(...)",
         flags=("import asyncio\n\ndef test_a():\n    loop = asyncio.get_event_loop()\n"
                "    loop.run_until_complete(work())\n",),
         passes=("import asyncio\n\ndef test_a():\n    asyncio.run(work())\n",)),
]
