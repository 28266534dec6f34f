"""Guard for loop-bound-objects: no process-wide asyncio object waits in two loops.

No module of ``harness/`` creates an asyncio synchronisation object, queue or Redis client at
module level (an AST scan: a new one fails here), and the per-loop pattern the write-up
recommends (its ``per_loop`` snippet, as copied) gives each loop its own object while a
module-level one fails in the second loop, and lets a closed loop go (no loop that made its
lock wait stays alive after ``gc.collect()``).
"""

import ast
import asyncio
import gc
import weakref

import pytest

from harness.servers import REPO

BOUND = {"Lock", "Event", "Condition", "Semaphore", "BoundedSemaphore", "Barrier", "Queue",
         "PriorityQueue", "LifoQueue"}
CLIENTS = {"Redis", "from_url", "StrictRedis"}
#: modules whose objects of those names wait on OS threads, not on an event loop
THREAD_SAFE = {"threading", "queue", "multiprocessing"}


def module_level_objects(path) -> list[str]:
    """``"name:line"`` for each module-level call creating a loop-bound object or a client."""
    found = []
    for statement in ast.parse(path.read_text(), str(path)).body:
        if not isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr)):
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", None))
                owner = getattr(getattr(node.func, "value", None), "id", None)
                if name in BOUND | CLIENTS and owner not in THREAD_SAFE:
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


def test_the_scan_leaves_thread_objects_alone_and_still_reports_an_unqualified_one(tmp_path):
    """``threading.Event()`` waits on an OS lock, not on a loop (timing-margins' consumer keeps
    one); a bare ``Event()`` may be asyncio's, so it still counts."""
    module = tmp_path / "m.py"
    module.write_text("import asyncio, queue, threading\nfrom asyncio import Event\n\n"
                      "STARTED = threading.Event()\nJOBS = queue.Queue()\nREADY = Event()\n"
                      "DONE = asyncio.Event()\n")
    assert module_level_objects(module) == ["Event:6", "Event:7"]


@pytest.fixture
def per_loop():
    """The write-up's fix 1 as users copy it (``python snippet=per-loop``), run alone."""
    from kb.snippets import load

    return load("loop-bound-objects", "per-loop").per_loop


async def contend(get_lock) -> None:
    """Make a waiter on the lock (the moment it binds to this loop), then let it through."""
    lock = get_lock()
    await lock.acquire()
    waiter = asyncio.ensure_future(lock.acquire())
    await asyncio.sleep(0)  # one turn of the loop: the waiter reaches its wait
    lock.release()
    await asyncio.wait_for(waiter, 5)
    lock.release()
    assert lock._loop is asyncio.get_running_loop()  # it waited: bound to this loop


def test_when_two_loops_contend_then_per_loop_locks_work_and_a_module_level_one_fails(per_loop):
    for _ in range(2):
        asyncio.run(contend(lambda: per_loop("lock", asyncio.Lock)))
    shared = asyncio.Lock()
    asyncio.run(contend(lambda: shared))
    with pytest.raises(RuntimeError, match=r"is bound to a different event loop$"):
        asyncio.run(contend(lambda: shared))


def test_when_loops_that_made_the_lock_wait_are_closed_then_none_stays_alive(per_loop):
    loops = []

    async def contend_here():
        loops.append(weakref.ref(asyncio.get_running_loop()))
        await contend(lambda: per_loop("lock", asyncio.Lock))

    for _ in range(3):
        asyncio.run(contend_here())
    gc.collect()
    assert len(loops) == 3 and [ref() for ref in loops] == [None, None, None]
