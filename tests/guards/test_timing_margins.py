"""Guard for entry timing-margins: a test's timeout detects a hang, it does not time the machine.

A consumer whose ``connect()`` costs 0.1 s of CPU connects with the communicator's default
``timeout=1`` on a quiet machine and times out when the CPU is shared: here the process and
enough busy processes to stretch that 0.1 s to about 4 s are pinned to one CPU
(``harness.load.contended_cpu``). The fix from the write-up (snippet ``hang-timeout``: a 30 s
bound times ``KB_TIMEOUT_SCALE``) must connect under the same load (timed alone: the timed-out connect's work, which asgiref
does not stop, is waited for first), and the default must not:
if the default stopped failing, the load would no longer show anything and the guard says so.
See context/timing-margins.md.
"""

import asyncio
import time

import pytest

from kb import snippets

HANG = snippets.load("timing-margins", "hang-timeout")
WORK_S = 0.1
WALL_S = 4.0


@pytest.fixture
def password_check(memory_layer):
    """A consumer class whose connect() costs WORK_S of CPU, calibrated before any load."""
    from harness.consumers.costly import CostlyConnectConsumer
    from harness.load import rounds_for

    class PasswordCheckConsumer(CostlyConnectConsumer):
        rounds = rounds_for(WORK_S)

    return PasswordCheckConsumer


@pytest.mark.asyncio
async def test_connect_with_hang_timeout_survives_a_shared_cpu(password_check):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator

    from harness.consumers import costly
    from harness.load import contended_cpu, workers_for

    with contended_cpu(workers_for(WORK_S, WALL_S)):
        slow = WebsocketCommunicator(password_check.as_asgi(), "/ws/login/")
        with pytest.raises(asyncio.TimeoutError):  # TimeoutError itself on Python >= 3.11
            await slow.connect()  # the default timeout=1: the load is real
        # asgiref cancelled the application, not its worker thread: work that had started runs on
        # in SyncToAsync.single_thread_executor (max_workers=1). Wait for it, so the fixed connect
        # below is timed alone, not behind it.
        await asyncio.wait_for(sync_to_async(lambda: None)(), HANG.hang_timeout())
        assert len(costly.started) == len(costly.finished)

        fixed = WebsocketCommunicator(password_check.as_asgi(), "/ws/login/")
        start = time.monotonic()
        assert await fixed.connect(timeout=HANG.hang_timeout()) == (True, None)
        took = time.monotonic() - start
        await fixed.disconnect(timeout=HANG.hang_timeout())
    # the fixed connect alone (its worker thread was idle): the default timeout would have failed it
    assert took > 1.0, f"the connect took {took:.2f} s: the default timeout would not have failed"


def test_hang_timeout_scales_with_the_environment(monkeypatch):
    monkeypatch.delenv("KB_TIMEOUT_SCALE", raising=False)
    assert HANG.hang_timeout() == 30.0
    monkeypatch.setenv("KB_TIMEOUT_SCALE", "3")
    assert HANG.hang_timeout(10.0) == 30.0
