"""Guard for channel-full: bursts reach a consumer when the test sizes the layer, drops are caught.

Fails if either layer's default capacity (100) or expiry (60 s) changes (the write-up's numbers
and its advice depend on them); if a connected ``MatchConsumer`` stops receiving a whole 150-message
group burst, in order, once the test settings raise ``capacity`` above it (in-memory and Redis);
if ``StrictInMemoryChannelLayer`` stops turning a group drop into ``ChannelFull``; or if
channels-redis stops logging its drop line in the words ``harness.capacity.redis_drops`` looks
for. See context/channel-full.md.
"""

import asyncio
import copy
import inspect
import re

import pytest

BURST = 150


def layer_classes():
    from channels.layers import InMemoryChannelLayer
    from channels_redis.core import RedisChannelLayer

    return InMemoryChannelLayer, RedisChannelLayer


@pytest.mark.parametrize("index", [0, 1], ids=["memory", "redis"])
def test_default_capacity_and_expiry(index):
    parameters = inspect.signature(layer_classes()[index].__init__).parameters
    assert (parameters["capacity"].default, parameters["expiry"].default) == (100, 60)


async def burst_to_observer(timeout: float = 5.0) -> list[int]:
    """Join a MatchConsumer to a fresh room as observer, group_send BURST events, return what arrived."""
    from channels.layers import get_channel_layer

    from harness import client

    room = client.room_code("guard-burst")
    communicator = client.communicator(f"/ws/match/{room}/", user="alice")
    connected, _ = await communicator.connect(timeout=timeout)
    assert connected
    try:
        await communicator.send_json_to({"type": "join", "role": "observer"})
        assert (await communicator.receive_json_from(timeout))["type"] == "joined"
        assert (await communicator.receive_json_from(timeout))["type"] == "status"
        layer = get_channel_layer()
        for number in range(BURST):
            event = {"type": "room.event", "message": {"type": "said", "number": number}}
            await asyncio.wait_for(layer.group_send(f"match.{room}", event), timeout)
        return [(await communicator.receive_json_from(timeout))["number"] for _ in range(BURST)]
    finally:
        await communicator.disconnect(timeout=timeout)


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["memory_layer", "redis_layer"])
async def test_sized_layer_delivers_the_whole_burst(kind, request):
    from django.conf import settings
    from django.test import override_settings

    request.getfixturevalue(kind)
    sized = copy.deepcopy(settings.CHANNEL_LAYERS)
    sized["default"].setdefault("CONFIG", {})["capacity"] = 1000
    with override_settings(CHANNEL_LAYERS=sized):
        assert await burst_to_observer() == list(range(BURST))


@pytest.mark.asyncio
async def test_strict_memory_layer_raises_instead_of_dropping(harness_db):
    from channels.exceptions import ChannelFull

    from harness.capacity import StrictInMemoryChannelLayer

    layer = StrictInMemoryChannelLayer(capacity=2)
    channel = await layer.new_channel()
    await layer.group_add("scores", channel)
    await layer.group_send("scores", {"type": "score"})
    await layer.group_send("scores", {"type": "score"})
    with pytest.raises(ChannelFull, match=rf"^{re.escape(channel)}$"):
        await layer.group_send("scores", {"type": "score"})


@pytest.mark.asyncio
async def test_redis_drops_are_logged_and_caught(redis_url):
    import uuid

    from channels_redis.core import RedisChannelLayer

    from harness.capacity import redis_drops

    host = {"address": redis_url, "socket_timeout": None}
    layer = RedisChannelLayer(hosts=[host], capacity=2, prefix=f"guard-{uuid.uuid4().hex[:8]}")
    channel = await layer.new_channel()
    await layer.group_add("scores", channel)
    try:
        with redis_drops() as drops:
            for _ in range(5):
                await asyncio.wait_for(layer.group_send("scores", {"type": "score"}), 5)
    finally:
        await layer.flush()
    assert drops == ["1 of 1 channels over capacity in group scores"] * 3


@pytest.mark.asyncio
async def test_strict_layer_snippet_as_copied_raises(harness_db):
    from channels.exceptions import ChannelFull

    from kb.snippets import load

    layer = load("channel-full", "strict-in-memory-layer").StrictInMemoryChannelLayer(capacity=1)
    channel = await layer.new_channel()
    await layer.group_add("scores", channel)
    await layer.group_send("scores", {"type": "score"})
    with pytest.raises(ChannelFull, match=rf"^{re.escape(channel)}$"):
        await layer.group_send("scores", {"type": "score"})


OVERFILLED = '''
import os, uuid
import pytest
from channels_redis.core import RedisChannelLayer


@pytest.mark.asyncio
async def test_group_burst():
    host = {"address": os.environ["REDIS_URL"], "socket_timeout": None}
    layer = RedisChannelLayer(hosts=[host], capacity=1, prefix=f"snippet-{uuid.uuid4().hex[:8]}")
    channel = await layer.new_channel()
    await layer.group_add("scores", channel)
    for _ in range(3):
        await layer.group_send("scores", {"type": "score"})
    await layer.flush()
'''


def test_no_group_drops_snippet_as_copied_fails_the_test(tmp_path, redis_url):
    import os
    import subprocess
    import sys

    from kb import REPO
    from kb.snippets import extract, load

    assert hasattr(load("channel-full", "no-group-drops"), "no_group_drops")  # it runs alone
    snippet = extract((REPO / "context" / "channel-full.md").read_text(encoding="utf-8"))["no-group-drops"]
    (tmp_path / "conftest.py").write_text(snippet, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n", encoding="utf-8"
    )
    (tmp_path / "test_overfilled.py").write_text(OVERFILLED, encoding="utf-8")
    env = {**os.environ, "REDIS_URL": redis_url}
    for name in ("CI", "BUILD_NUMBER", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "--color=no", "-p", "no:cacheprovider", "-p", "no:django",
         "-p", "no:kb_known_issues"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"\b1 passed\b.*\b1 error\b", proc.stdout.strip().splitlines()[-1]), proc.stdout
    assert "AssertionError: ['1 of 1 channels over capacity in group scores', " in proc.stdout, proc.stdout
