"""Small asyncio helpers shared by the consumers."""

import asyncio

from .compat import await_cancelled


async def cancel_and_wait(task: asyncio.Task | None) -> None:
    """Cancel ``task`` and wait for it to finish.

    The ``CancelledError`` that the cancelled task raises is expected and swallowed; one meant
    for the *calling* task (it is itself being cancelled) is re-raised, and any other exception
    the task ended with propagates. That is the difference from a bare
    ``except CancelledError: pass``, which hides both.
    """
    if task is None or task.done() and not task.cancelled() and task.exception() is None:
        return
    task.cancel()
    await await_cancelled(task)  # harness.compat: cancelling() on 3.11+, asyncio.wait on 3.10
