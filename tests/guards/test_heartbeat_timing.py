"""Guard for entry heartbeat-timing: heartbeat tests stay fast without touching production.

- Production keeps its heartbeat (25 s ping, 60 s timeout) whatever the tests patch.
- The real ``heartbeat_loop`` reads the class attributes at every tick, so patching them per test
  is enough: fails if the loop captures its timing elsewhere (the tests would then wait 25 s).
- The diagnosis of the ``CancelledError`` at ``communicator.disconnect()`` holds for the running
  asgiref: a receive that times out cancels the application, and from asgiref 3.9 the next send
  to it re-raises that cancellation (``ApplicationCommunicator.send_input``); before 3.9 the
  send returns normally.
- The consumer absorbs its heartbeat task's cancellation: a disconnect raises nothing in the test
  and the clean-up after the cancellation runs.

See context/heartbeat-timing.md; the five scenarios are tests/test_heartbeat.py.
"""

import asyncio
from importlib.metadata import version

import pytest

from harness.client import communicator
from harness.compat import WaitTimeout
from harness.consumers.match import MatchConsumer
from harness.protocol import CloseCode

WAIT = 5.0  # generous: far below the production interval, far above the patched one
#: asgiref 3.9.0 added ``if self.future.done(): self.future.result()`` to ``send_input``
RERAISES = tuple(int(part) for part in version("asgiref").split(".")[:2]) >= (3, 9)


def heartbeat_tasks() -> set[asyncio.Task]:
    return {
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") == "MatchConsumer.heartbeat_loop"
    }


def test_when_nothing_is_patched_then_the_heartbeat_has_its_production_timing():
    assert (MatchConsumer.HEARTBEAT_INTERVAL, MatchConsumer.HEARTBEAT_TIMEOUT) == (25, 60)


@pytest.mark.asyncio
async def test_when_the_class_attributes_are_patched_then_the_real_loop_follows_them(memory_layer):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MatchConsumer, "HEARTBEAT_INTERVAL", 0.02)
        patch.setattr(MatchConsumer, "HEARTBEAT_TIMEOUT", 0.1)
        conn = communicator("/ws/match/guard-patched/", user="alice")
        assert await conn.connect(timeout=WAIT) == (True, None)
        # At 25 s this would time out: the loop must sleep the patched interval.
        assert await conn.receive_json_from(timeout=WAIT) == {"type": "ping"}
        output = await conn.receive_output(timeout=WAIT)
        while output == {"type": "websocket.send", "text": '{"type": "ping"}'}:
            output = await conn.receive_output(timeout=WAIT)
        assert output == {"type": "websocket.close", "code": CloseCode.HEARTBEAT_TIMEOUT}
        await conn.disconnect(timeout=WAIT)
    assert (MatchConsumer.HEARTBEAT_INTERVAL, MatchConsumer.HEARTBEAT_TIMEOUT) == (25, 60)


@pytest.mark.asyncio
async def test_when_a_receive_times_out_then_disconnect_reports_the_apps_cancellation(memory_layer):
    conn = communicator("/ws/match/guard-timeout/", user="alice")
    assert await conn.connect(timeout=WAIT) == (True, None)
    (heartbeat,) = heartbeat_tasks()

    with pytest.raises(WaitTimeout):  # TimeoutError; on Python 3.10 asyncio.TimeoutError
        await conn.receive_json_from(timeout=0.05)  # production timing: no ping for 25 s
    assert conn.future.cancelled()  # the communicator cancelled the application...
    assert not heartbeat.done()  # ...whose disconnect() never ran: its heartbeat is orphaned
    if RERAISES:
        with pytest.raises(asyncio.CancelledError):
            await conn.disconnect(timeout=WAIT)
    else:
        await conn.disconnect(timeout=WAIT)  # asgiref < 3.9: returns normally

    heartbeat.cancel()
    await asyncio.wait([heartbeat], timeout=WAIT)
    assert heartbeat.cancelled()


@pytest.mark.asyncio
async def test_when_the_client_disconnects_then_the_consumer_absorbs_its_tasks_cancellation(
    memory_layer,
):
    from harness.rooms import ROOMS

    conn = communicator("/ws/match/guard-cancel/", user="alice")
    assert await conn.connect(timeout=WAIT) == (True, None)
    await conn.send_json_to({"type": "join", "role": "player"})
    assert (await conn.receive_json_from(timeout=WAIT))["type"] == "joined"
    (heartbeat,) = heartbeat_tasks()

    await conn.disconnect(timeout=WAIT)  # raises nothing

    assert heartbeat.cancelled()
    assert "guard-cancel" not in ROOMS  # the clean-up after cancel_and_wait ran


def copied_cancel_and_wait(python_310: bool):
    """A ``cancel_and_wait`` block of the write-up, executed on its own (no harness import): the
    Python 3.11+ one (``Task.cancelling()``), or with ``python_310`` the ``asyncio.wait`` one."""
    from kb.snippets import load

    if python_310:
        return load("heartbeat-timing", "cancel-and-wait-py310").cancel_and_wait
    return load("heartbeat-timing", "cancel-and-wait").cancel_and_wait


async def stop_a_task_then_a_slow_one_under_cancellation(cancel_and_wait):
    """The contract of both spellings: the task's own cancellation is swallowed, the caller's
    own is raised."""
    sleeper = asyncio.create_task(asyncio.sleep(60))
    await asyncio.wait_for(cancel_and_wait(sleeper), WAIT)  # returns: the task's cancellation
    assert sleeper.cancelled()

    started, release = asyncio.Event(), asyncio.Event()

    async def slow_to_stop():
        started.set()
        try:
            await release.wait()
        finally:
            await release.wait()

    slow = asyncio.create_task(slow_to_stop())
    await asyncio.wait_for(started.wait(), WAIT)
    stopper = asyncio.create_task(cancel_and_wait(slow))
    await asyncio.sleep(0)  # let the stopper start waiting (an ordering step, not a timing one)
    stopper.cancel()  # the caller itself is cancelled: the snippet must let that through
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(stopper, WAIT)
    await asyncio.wait([slow], timeout=WAIT)


@pytest.mark.asyncio
async def test_when_the_copied_310_snippet_stops_a_task_then_only_its_own_cancellation_is_swallowed():
    await stop_a_task_then_a_slow_one_under_cancellation(copied_cancel_and_wait(python_310=True))


@pytest.mark.asyncio
async def test_when_the_copied_311_snippet_stops_a_task_then_only_its_own_cancellation_is_swallowed():
    cancel_and_wait = copied_cancel_and_wait(python_310=False)
    if hasattr(asyncio.Task, "cancelling"):  # Python 3.11+
        await stop_a_task_then_a_slow_one_under_cancellation(cancel_and_wait)
    else:  # Python 3.10: Task.cancelling() does not exist, the write-up says so
        stopper = asyncio.create_task(cancel_and_wait(asyncio.create_task(asyncio.sleep(60))))
        with pytest.raises(AttributeError, match="object has no attribute 'cancelling'"):
            await asyncio.wait_for(stopper, WAIT)
