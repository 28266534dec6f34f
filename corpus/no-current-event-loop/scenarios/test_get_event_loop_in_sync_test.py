"""Sync tests that drive a communicator with asyncio.get_event_loop().run_until_complete()."""

import asyncio

import pytest

from harness.client import communicator


async def seed_rooms():
    """The app's async start-up work (here: one echo round trip)."""
    comm = communicator("/ws/echo/")
    assert (await comm.connect())[0]
    await comm.disconnect()


@pytest.fixture(scope="module", autouse=True)
def seeded(harness_db):
    asyncio.run(seed_rooms())  # creates a loop, runs, closes it, and sets the current loop to None


def test_echo_round_trip():
    loop = asyncio.get_event_loop()  # no current loop: RuntimeError on Python 3.10-3.13 here
    comm = communicator("/ws/echo/")
    connected, _ = loop.run_until_complete(comm.connect())
    assert connected
    loop.run_until_complete(comm.send_json_to({"type": "ping"}))
    assert loop.run_until_complete(comm.receive_json_from()) == {"type": "ping"}
    loop.run_until_complete(comm.disconnect())
