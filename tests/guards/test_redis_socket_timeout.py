"""Guard for entry redis-socket-timeout: the Redis channel layer survives an idle receive().

redis-py 8 defaults ``socket_timeout`` to 5 s, exactly channels-redis's BZPOPMIN wait
(``RedisChannelLayer.brpop_timeout``), so with a plain ``"hosts": [url]`` a receive() that waits
idle for more than 5 s raises ``redis.exceptions.TimeoutError: Timeout reading from ...``.
The harness's production config (``harness.settings.base.channel_layers``) passes
``"socket_timeout": None`` in the host dict. This guard fails if that is dropped: on a real
Redis, a receive() that idles past 5 s must end only by our own bound, and a message sent
afterwards must still arrive. See context/redis-socket-timeout.md.
"""

import asyncio
import time

import pytest
import pytest_asyncio

IDLE_S = 6.5  # longer than both brpop_timeout and redis-py 8's default socket_timeout (5 s)


@pytest_asyncio.fixture
async def production_layer(harness_db, redis_url):
    """A ``RedisChannelLayer`` built from the harness's production ``CHANNEL_LAYERS``."""
    from channels_redis.core import RedisChannelLayer

    from harness.settings.base import channel_layers

    config = channel_layers("redis", redis_url)["default"]
    assert config["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    layer = RedisChannelLayer(**config["CONFIG"])
    try:
        yield layer
    finally:
        await layer.flush()


@pytest.mark.asyncio
async def test_idle_receive_outlives_brpop_timeout_and_still_delivers(production_layer):
    from redis.exceptions import RedisError

    from harness.compat import WaitTimeout

    assert IDLE_S > production_layer.brpop_timeout
    channel = await production_layer.new_channel()

    started = time.monotonic()
    try:
        await asyncio.wait_for(production_layer.receive(channel), IDLE_S)
    except RedisError as exc:  # redis.exceptions.TimeoutError is one
        pytest.fail(f"idle receive() failed after {time.monotonic() - started:.1f} s: "
                    f"{type(exc).__module__}.{type(exc).__name__}: {exc}")
    except WaitTimeout:  # asyncio's: our own bound (redis's TimeoutError is not this one)
        pass  # receive() was still waiting, as it should
    else:
        pytest.fail("receive() returned a message on a channel nobody sent to")
    assert time.monotonic() - started >= IDLE_S * 0.95

    await production_layer.send(channel, {"type": "after.idle", "n": 1})
    message = await asyncio.wait_for(production_layer.receive(channel), 10)
    assert message == {"type": "after.idle", "n": 1}
