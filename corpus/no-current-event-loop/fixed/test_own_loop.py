"""test_get_event_loop_in_sync_test.py fixed: the sync test owns its loop (new_event_loop, closed
at the end) instead of asking for a current one."""

import asyncio

from harness.client import communicator


def test_echo_round_trip(harness_db):
    loop = asyncio.new_event_loop()
    try:
        comm = communicator("/ws/echo/")
        connected, _ = loop.run_until_complete(comm.connect())
        assert connected
        loop.run_until_complete(comm.send_json_to({"type": "ping"}))
        assert loop.run_until_complete(comm.receive_json_from()) == {"type": "ping"}
        loop.run_until_complete(comm.disconnect())
    finally:
        loop.close()
