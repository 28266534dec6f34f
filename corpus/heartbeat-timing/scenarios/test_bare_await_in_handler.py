# kb-corpus: asgiref >= 3.9
"""No receive times out here. The consumer's ``leave`` handler closes, then stops its heartbeat
task by cancelling it and awaiting it bare: the task's ``CancelledError`` escapes the handler,
the application ends cancelled, and the test's next communicator call re-raises it."""

import pytest


def leave_stops_heartbeat_stack():
    """The production stack routing the match room to a consumer whose ``leave`` awaits bare."""
    from channels.routing import URLRouter
    from django.urls import re_path

    from harness.consumers.match import MatchConsumer
    from harness.stacks import production_stack

    class LeaveStopsHeartbeat(MatchConsumer):
        async def on_leave(self, message):
            await self.close(code=4000)
            self.heartbeat.cancel()
            await self.heartbeat  # re-raises the task's CancelledError here, in the handler

    return production_stack(URLRouter([re_path(r"^ws/match/(?P<room>[\w-]+)/$", LeaveStopsHeartbeat.as_asgi())]))


@pytest.mark.asyncio
async def test_leave_closes_with_4000(memory_layer):
    from harness.client import communicator

    conn = communicator("/ws/match/corpus-leave/", application=leave_stops_heartbeat_stack(), user="alice")
    assert await conn.connect(timeout=5) == (True, None)
    await conn.send_json_to({"type": "leave"})
    assert await conn.receive_output(timeout=5) == {"type": "websocket.close", "code": 4000}
    assert await conn.receive_nothing()
    await conn.disconnect()
