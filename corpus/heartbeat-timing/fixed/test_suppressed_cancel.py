"""test_bare_await_in_handler.py fixed: the handler awaits its cancelled task under
``contextlib.suppress(CancelledError)``, and the test asserts the close, not silence."""

import asyncio
import contextlib

import pytest


def leave_stops_heartbeat_stack():
    from channels.routing import URLRouter
    from django.urls import re_path

    from harness.consumers.match import MatchConsumer
    from harness.stacks import production_stack

    class LeaveStopsHeartbeat(MatchConsumer):
        async def on_leave(self, message):
            await self.close(code=4000)
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.heartbeat

    return production_stack(URLRouter([re_path(r"^ws/match/(?P<room>[\w-]+)/$", LeaveStopsHeartbeat.as_asgi())]))


@pytest.mark.asyncio
async def test_leave_closes_with_4000(memory_layer):
    from harness.client import communicator

    conn = communicator("/ws/match/corpus-leave/", application=leave_stops_heartbeat_stack(), user="alice")
    assert await conn.connect(timeout=5) == (True, None)
    await conn.send_json_to({"type": "leave"})
    assert await conn.receive_output(timeout=5) == {"type": "websocket.close", "code": 4000}
    await conn.disconnect()
