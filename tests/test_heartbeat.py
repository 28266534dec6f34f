"""The match room's heartbeat: five scenarios on the real loop, in a fraction of a second.

``MatchConsumer`` pings every ``HEARTBEAT_INTERVAL`` (25 s) and closes a client that has been
silent for ``HEARTBEAT_TIMEOUT`` (60 s) with 4008 at the next tick; at those values these
scenarios take minutes (``notebooks/heartbeat-timing.ipynb``). Each test patches the two class
attributes for itself with ``monkeypatch`` (undone when the test ends), so the production code
and its values stay as they are, and the loop under test is the real ``heartbeat_loop`` on the
production stack (origin validation and JWT auth included).

``HEARTBEAT_TEST_INTERVAL`` / ``HEARTBEAT_TEST_TIMEOUT`` (seconds) override the patched values,
so the notebook and ``make bench`` can sweep them; the defaults are what CI runs. Nothing here
asserts speed (``make bench`` measures it): every wait has a generous deadline, ``WAIT``.
"""

import asyncio
import math
import os

import pytest
import pytest_asyncio

from harness.client import communicator
from harness.consumers.match import MatchConsumer
from harness.protocol import CloseCode
from harness.rooms import ROOMS

INTERVAL = float(os.environ.get("HEARTBEAT_TEST_INTERVAL", "0.02"))
TIMEOUT = float(os.environ.get("HEARTBEAT_TEST_TIMEOUT", str(6 * INTERVAL)))
# Ticks until a silent client is closed: it receives at most TICKS - 1 pings before the 4008.
TICKS = math.ceil(round(TIMEOUT / INTERVAL, 6))
WAIT = 5.0 + 2 * TIMEOUT  # a bound for any single await, never reached unless something broke
PING = {"type": "websocket.send", "text": '{"type": "ping"}'}


@pytest.fixture
def fast_heartbeat(monkeypatch, memory_layer):
    """Patch the heartbeat's class attributes for this test only."""
    monkeypatch.setattr(MatchConsumer, "HEARTBEAT_INTERVAL", INTERVAL)
    monkeypatch.setattr(MatchConsumer, "HEARTBEAT_TIMEOUT", TIMEOUT)
    # The rate limit is per user and process-wide: frames other tests sent as alice in the last
    # second must not get these pongs answered with "rate_limited".
    monkeypatch.setattr(MatchConsumer, "_limiters", {})


@pytest_asyncio.fixture
async def open_match(fast_heartbeat):
    """``await open_match(room)``: alice connected to ``/ws/match/<room>/`` on the production stack.

    The tests disconnect as part of their scenario. Connections a failing test left open are
    closed here, in teardown, so a clean-up error is reported next to the failure instead of
    replacing it (as a ``finally: await communicator.disconnect()`` would).
    """
    from harness.stacks import production_stack  # after Django is set up (memory_layer)

    application = production_stack()
    opened = []

    async def open_(room: str):
        conn = communicator(f"/ws/match/{room}/", application=application, user="alice")
        opened.append(conn)
        assert await conn.connect(timeout=WAIT) == (True, None)
        return conn

    yield open_
    for conn in opened:
        if not conn.future.done():
            await conn.disconnect(timeout=WAIT)


def heartbeat_tasks() -> set[asyncio.Task]:
    """The running ``MatchConsumer.heartbeat_loop`` tasks of this event loop."""
    return {
        task
        for task in asyncio.all_tasks()
        if getattr(task.get_coro(), "__qualname__", "") == "MatchConsumer.heartbeat_loop"
    }


async def next_output(conn) -> dict:
    return await conn.receive_output(timeout=WAIT)


@pytest.mark.asyncio
async def test_when_the_client_is_connected_then_the_server_pings_on_its_own(open_match, record_property):
    loop = asyncio.get_running_loop()
    started = loop.time()
    conn = await open_match("hb-ping")

    assert await conn.receive_json_from(timeout=WAIT) == {"type": "ping"}
    assert loop.time() - started >= INTERVAL  # the loop waits one interval before its first ping
    record_property("ticks", 1)  # the ticks this scenario waited for: the first ping
    await conn.disconnect(timeout=WAIT)


@pytest.mark.asyncio
async def test_when_the_client_answers_every_ping_then_it_outlives_the_timeout(open_match, record_property):
    loop = asyncio.get_running_loop()
    # A silent client gets at most TICKS - 1 pings, then 4008. Answering each ping with a pong
    # must keep it open for more pings than that. The server may close a client only after
    # TIMEOUT of silence; if this process stalls that long (a loaded machine), the close is
    # legitimate and the scenario is tried again, on a new connection.
    for attempt in range(3):
        last_pong = loop.time()  # before connecting: the server's clock starts later
        conn = await open_match(f"hb-pong-{attempt}")
        answered = 0
        while answered <= TICKS:
            output = await next_output(conn)
            if output["type"] == "websocket.close":
                silent = loop.time() - last_pong
                assert silent >= TIMEOUT, f"{output} after {answered} pongs, {silent:.3f} s after the last"
                break
            assert output == PING, output
            await conn.send_json_to({"type": "pong"})
            last_pong = loop.time()
            answered += 1
        await conn.disconnect(timeout=WAIT)
        if answered > TICKS:
            record_property("ticks", answered)  # pings answered on the attempt that outlived TIMEOUT
            record_property("attempts", attempt + 1)
            return
    pytest.fail(f"this process stalled for {TIMEOUT} s in each of 3 attempts")


@pytest.mark.asyncio
async def test_when_the_client_stays_silent_past_the_timeout_then_it_is_closed_with_4008(
    open_match, record_property
):
    loop = asyncio.get_running_loop()
    started = loop.time()
    conn = await open_match("hb-silent")

    pings = 0
    while (output := await next_output(conn))["type"] == "websocket.send":
        assert output == PING, output
        pings += 1
    assert output == {"type": "websocket.close", "code": CloseCode.HEARTBEAT_TIMEOUT}
    assert output["code"] == 4008
    assert loop.time() - started >= TIMEOUT
    assert pings <= TICKS - 1
    record_property("ticks", pings + 1)  # each ping was a tick, and so was the 4008
    await conn.disconnect(timeout=WAIT)


@pytest.mark.asyncio
async def test_when_the_client_leaves_then_the_server_closes_gracefully_with_4000(open_match):
    conn = await open_match("hb-leave")

    await conn.send_json_to({"type": "leave"})
    output = await next_output(conn)
    while output == PING:
        output = await next_output(conn)  # a ping may come first at short intervals
    assert output == {"type": "websocket.close", "code": CloseCode.LEFT}
    assert 4000 <= output["code"] <= 4999  # RFC 6455: the range for applications
    await conn.disconnect(timeout=WAIT)


@pytest.mark.asyncio
async def test_when_the_client_disconnects_then_the_heartbeat_task_is_cancelled(open_match):
    conn = await open_match("hb-cancel")
    await conn.send_json_to({"type": "join", "role": "player"})
    joined = await conn.receive_json_from(timeout=WAIT)
    while joined == {"type": "ping"}:
        joined = await conn.receive_json_from(timeout=WAIT)
    assert joined["type"] == "joined"
    (heartbeat,) = heartbeat_tasks()
    assert not heartbeat.done()

    # No try/except: the consumer absorbs the CancelledError of the task it cancels
    # (harness.aio.cancel_and_wait), so none reaches the test...
    await conn.disconnect(timeout=WAIT)

    assert heartbeat.cancelled()
    assert heartbeat_tasks() == set()
    # ...and the clean-up after the cancellation ran: the room is gone.
    assert "hb-cancel" not in ROOMS
