"""Guard for loop-bound-objects: no process-wide asyncio object waits in two loops.

No module of ``harness/`` creates an asyncio synchronisation object, queue or Redis client at
module level (an AST scan: a new one fails here), and the per-loop pattern the write-up
recommends gives each loop its own object while a module-level one fails in the second loop.
"""

import ast
import asyncio
import weakref

import pytest

from harness.servers import REPO

BOUND = {"Lock", "Event", "Condition", "Semaphore", "BoundedSemaphore", "Barrier", "Queue",
         "PriorityQueue", "LifoQueue"}
CLIENTS = {"Redis", "from_url", "StrictRedis"}


def module_level_objects(path) -> list[str]:
    """``"name:line"`` for each module-level call creating a loop-bound object or a client."""
    found = []
    for statement in ast.parse(path.read_text(), str(path)).body:
        if not isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr)):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", None))
                if name in BOUND | CLIENTS:
                    found.append(f"{name}:{node.lineno}")
    return found


def test_when_the_harness_is_scanned_then_no_module_level_loop_bound_object_exists():
    found = {str(p.relative_to(REPO)): objs for p in sorted((REPO / "harness").rglob("*.py"))
             if (objs := module_level_objects(p))}
    assert found == {}


def test_when_the_scan_sees_a_module_level_lock_then_it_reports_it(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import asyncio\n\nLOCK = asyncio.Lock()\n\n\ndef f():\n    return asyncio.Queue()\n")
    assert module_level_objects(module) == ["Lock:3"]


_per_loop: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def this_loops_lock() -> asyncio.Lock:
    """The write-up's fix 1: one lock per running loop, made on first use."""
    return _per_loop.setdefault(asyncio.get_running_loop(), asyncio.Lock())


async def contend(get_lock) -> None:
    """Make a waiter on the lock (the moment it binds to this loop), then let it through."""
    lock = get_lock()
    await lock.acquire()
    waiter = asyncio.ensure_future(lock.acquire())
    await asyncio.sleep(0)  # one turn of the loop: the waiter reaches its wait
    lock.release()
    await asyncio.wait_for(waiter, 5)
    lock.release()


def test_when_two_loops_contend_then_per_loop_locks_work_and_a_module_level_one_fails():
    for _ in range(2):
        asyncio.run(contend(this_loops_lock))
    shared = asyncio.Lock()
    asyncio.run(contend(lambda: shared))
    with pytest.raises(RuntimeError, match=r"is bound to a different event loop$"):
        asyncio.run(contend(lambda: shared))
