"""harness.aio.cancel_and_wait: swallow the expected CancelledError, never a real one."""

import asyncio

import pytest

from harness.aio import cancel_and_wait


async def forever(started: asyncio.Event):
    started.set()
    await asyncio.Event().wait()


@pytest.mark.asyncio
async def test_when_a_running_task_is_cancelled_then_cancel_and_wait_returns_quietly():
    started = asyncio.Event()
    task = asyncio.create_task(forever(started))
    await asyncio.wait_for(started.wait(), 1)
    await asyncio.wait_for(cancel_and_wait(task), 1)
    assert task.cancelled()


@pytest.mark.asyncio
async def test_when_the_task_failed_then_its_exception_propagates():
    async def boom():
        raise ValueError("real error")

    task = asyncio.create_task(boom())
    await asyncio.wait([task], timeout=1)
    with pytest.raises(ValueError, match="real error"):
        await asyncio.wait_for(cancel_and_wait(task), 1)


@pytest.mark.asyncio
async def test_when_the_caller_itself_is_cancelled_then_cancelled_error_is_not_hidden():
    started, waiting = asyncio.Event(), asyncio.Event()

    async def stubborn():
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            waiting.set()
            await asyncio.Event().wait()  # takes its time to stop: the caller is still waiting

    inner = asyncio.create_task(stubborn())
    await asyncio.wait_for(started.wait(), 1)
    outer = asyncio.create_task(cancel_and_wait(inner))
    await asyncio.wait_for(waiting.wait(), 1)
    outer.cancel()  # the caller is cancelled while it waits for the inner task
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(outer, 1)
    inner.cancel()
    await asyncio.wait([inner], timeout=1)


@pytest.mark.asyncio
async def test_when_given_none_or_a_finished_task_then_nothing_happens():
    await cancel_and_wait(None)
    task = asyncio.create_task(asyncio.sleep(0))
    await asyncio.wait_for(task, 1)
    await cancel_and_wait(task)
    assert task.done() and not task.cancelled()
