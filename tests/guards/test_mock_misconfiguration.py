"""Guard for mock-misconfiguration: price-stream tests mock Redis by its real shape.

The fake client is built from the real classes (``create_autospec`` with ``spec_set``), so it is
awaitable exactly where ``redis.asyncio`` is, refuses names the real client does not have, and
refuses misspelt assertions on every Python version. The patch target is the name the code looks
up (``harness.prices.Redis``), and a scan keeps no-op assertions such as
``assert m.called_once()`` out of ``tests/``.
"""

import ast
import asyncio
from pathlib import Path
from unittest.mock import AsyncMock, Mock, create_autospec, patch

import pytest
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from harness.client import eventually
from harness.compat import WaitTimeout, aclose
from harness.prices import ConnectionManager, channel_for
from harness.schemas import PriceUpdate

TIMEOUT = 10.0
TESTS = Path(__file__).resolve().parents[1]
UPDATE = PriceUpdate(symbol="ACME", price=101.5, change=0.5, volume=10)
# What closes a client and a PubSub (harness.compat.aclose): aclose() from redis-py 5.0.1; before
# it, the coroutines Redis.close() and PubSub.reset().
CLIENT_CLOSE, PUBSUB_CLOSE = ("aclose", "aclose") if hasattr(Redis, "aclose") else ("close", "reset")

# Assertion methods without their ``assert_`` prefix: calling one of these on a mock checks
# nothing (3.12 refuses the ``called_*`` ones on unspec'd mocks, no version refuses ``awaited_*``).
NO_OP_ASSERTIONS = {
    name.removeprefix("assert_") for name in dir(AsyncMock) if name.startswith("assert_")
}


def spec_redis_client(feed: asyncio.Queue) -> Mock:
    """A stand-in for ``redis.asyncio.Redis`` with the real client's shape, fed from ``feed``.

    ``publish`` and ``PubSub.unsubscribe`` are plain ``def``s returning awaitables in redis-py,
    which autospec cannot see, so they are ``AsyncMock``s by hand; ``get_message`` waits on
    ``feed`` up to its ``timeout`` like the real one waits on its socket.
    """
    pubsub = create_autospec(PubSub, instance=True, spec_set=True)
    pubsub.unsubscribe = AsyncMock(return_value=None)

    async def get_message(ignore_subscribe_messages=False, timeout=0.0):
        try:
            return await asyncio.wait_for(feed.get(), timeout)
        except WaitTimeout:
            return None

    pubsub.get_message.side_effect = get_message
    fake = create_autospec(Redis, instance=True, spec_set=True)
    fake.pubsub.return_value = pubsub
    fake.publish = AsyncMock(return_value=1)
    return fake


def publication(update: PriceUpdate) -> dict:
    return {
        "type": "message",
        "pattern": None,
        "channel": channel_for(update.symbol).encode(),
        "data": update.to_json().encode(),
    }


@pytest.fixture
def feed():
    return asyncio.Queue()


@pytest.fixture
def fake_redis(feed):
    return spec_redis_client(feed)


def test_when_the_fake_is_asked_for_a_method_redis_lacks_then_it_refuses(fake_redis):
    with pytest.raises(AttributeError, match=r"^Mock object has no attribute 'subscribe'$"):
        getattr(fake_redis, "subscribe")  # noqa: B009 - the access is what is tested
    with pytest.raises(AttributeError, match=r"^Mock object has no attribute 'subscribe'$"):
        fake_redis.subscribe = AsyncMock()


def test_when_an_assertion_is_misspelt_on_the_fake_then_it_raises(fake_redis):
    subscribe = fake_redis.pubsub.return_value.subscribe
    for typo in ("called_once", "awaited_once", "awaited_once_with"):
        with pytest.raises(AttributeError, match=rf"^Mock object has no attribute '{typo}'$"):
            getattr(subscribe, typo)


@pytest.mark.asyncio
async def test_when_the_manager_lives_on_the_fake_then_every_step_is_awaited(fake_redis, feed):
    deliver = AsyncMock()
    manager = ConnectionManager(deliver, client=fake_redis)
    await asyncio.wait_for(manager.subscribe("ACME"), TIMEOUT)
    feed.put_nowait(publication(UPDATE))
    await eventually(lambda: deliver.await_count == 1, timeout=TIMEOUT)
    await asyncio.wait_for(manager.unsubscribe("ACME"), TIMEOUT)
    await asyncio.wait_for(manager.close(), TIMEOUT)

    pubsub = fake_redis.pubsub.return_value
    pubsub.subscribe.assert_awaited_once_with("prices:ACME")
    deliver.assert_awaited_once_with(UPDATE)
    pubsub.unsubscribe.assert_awaited_once_with("prices:ACME")
    getattr(pubsub, PUBSUB_CLOSE).assert_awaited_once_with()
    getattr(fake_redis, CLIENT_CLOSE).assert_awaited_once_with()


@pytest.mark.asyncio
async def test_when_a_publication_is_malformed_then_nothing_is_delivered(fake_redis, feed):
    deliver = AsyncMock()
    manager = ConnectionManager(deliver, client=fake_redis)
    await asyncio.wait_for(manager.subscribe("ACME"), TIMEOUT)
    feed.put_nowait({"type": "message", "data": b'{"code": "ACME", "price": 1.0}'})  # stale fields
    feed.put_nowait(publication(UPDATE))  # read after the stale one, by the same reader task
    await eventually(lambda: deliver.await_count == 1, timeout=TIMEOUT)
    await asyncio.wait_for(manager.close(), TIMEOUT)
    deliver.assert_awaited_once_with(UPDATE)


@pytest.mark.asyncio
async def test_when_redis_is_patched_where_it_is_looked_up_then_real_redis_sees_nothing(
    redis_url, fake_redis
):
    probe = Redis.from_url(redis_url)
    try:
        with patch("harness.prices.Redis", autospec=True) as FakeRedis:
            FakeRedis.from_url.return_value = fake_redis
            manager = ConnectionManager(AsyncMock(), url=redis_url)
            await asyncio.wait_for(manager.subscribe("GUARD"), TIMEOUT)
            subscribers = await asyncio.wait_for(probe.pubsub_numsub(channel_for("GUARD")), TIMEOUT)
            await asyncio.wait_for(manager.close(), TIMEOUT)
    finally:
        await asyncio.wait_for(aclose(probe), TIMEOUT)
    FakeRedis.from_url.assert_called_once_with(redis_url)
    fake_redis.pubsub.return_value.subscribe.assert_awaited_once_with("prices:GUARD")
    assert subscribers == [(b"prices:GUARD", 0)]


@pytest.mark.asyncio
async def test_when_redis_is_patched_where_it_is_looked_up_then_the_redis_channel_layer_stays_real(
    redis_layer, fake_redis, feed
):
    """The right target leaves channels_redis alone: the consumer runs on the Redis layer."""
    from channels.layers import get_channel_layer

    from harness.client import communicator

    with patch("harness.prices.Redis", autospec=True) as FakeRedis:
        FakeRedis.from_url.return_value = fake_redis
        comm = communicator("/ws/prices/")
        assert await comm.connect(timeout=TIMEOUT) == (True, None)
        await comm.send_json_to({"type": "subscribe", "symbol": "ACME"})
        assert await comm.receive_json_from(timeout=TIMEOUT) == {"type": "subscribed", "symbol": "ACME"}
        feed.put_nowait(publication(UPDATE))
        assert await comm.receive_json_from(timeout=TIMEOUT) == UPDATE.to_message()
        clients = [get_channel_layer().connection(0)]  # the client the layer sends and receives with
        await comm.disconnect(timeout=TIMEOUT)
    assert all(isinstance(c, Redis) for c in clients)  # the layer's own client, a real one
    fake_redis.pubsub.return_value.subscribe.assert_awaited_once_with("prices:ACME")


def test_when_a_test_builds_a_price_update_with_stale_fields_then_it_fails():
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'code'"):
        PriceUpdate(code="ACME", price=1.0)
    with pytest.raises(TypeError, match=r"^missing a required argument: 'symbol'$"):
        create_autospec(PriceUpdate)(code="ACME", price=1.0)


def no_op_assertions(source: str, filename: str) -> list[str]:
    """``file:line: .name()`` for each call of a mock assertion name without ``assert_``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in NO_OP_ASSERTIONS
        ):
            found.append(f"{filename}:{node.lineno}: .{node.func.attr}()")
    return found


def test_the_scan_finds_the_no_op_assertions_it_looks_for():
    source = "assert m.send_json.called_once()\nm.send_json.awaited_once_with(1)\nm.assert_called_once()\n"
    assert no_op_assertions(source, "t.py") == [
        "t.py:1: .called_once()",
        "t.py:2: .awaited_once_with()",
    ]
    assert "called_once" in NO_OP_ASSERTIONS and "awaited_once" in NO_OP_ASSERTIONS
    assert all(hasattr(AsyncMock, f"assert_{name}") for name in NO_OP_ASSERTIONS)


def test_no_test_calls_a_mock_assertion_without_its_assert_prefix():
    found = [
        hit
        for path in sorted(TESTS.rglob("*.py"))
        for hit in no_op_assertions(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS)))
    ]
    assert found == [], "no-op mock assertions (use the assert_* method):\n" + "\n".join(found)
