"""Guard for entry channel-layer-setup: the test run has a channel layer that works, and the
early check names the cause when it does not.

The harness's test settings define ``CHANNEL_LAYERS`` (in-memory by default, a real Redis when
``HARNESS_CHANNEL_LAYER=redis``); the write-up's ``channel-layer-check`` snippet (a check and a
``channel_layer_ready`` fixture, loaded from the write-up as users copy it) must pass on both and
fail in one line, naming the cause, on each broken set-up the entry reproduces: no
``CHANNEL_LAYERS``, a Redis that refuses the connection, a host that does not resolve.
See context/channel-layer-setup.md.
"""

import asyncio
import importlib
import socket

import pytest
from channels.layers import channel_layers
from django.conf import settings
from django.test import override_settings

from kb import snippets

CHECK = snippets.load("channel-layer-setup", "channel-layer-check")
channel_layer_ready = CHECK.channel_layer_ready  # the fixture, as a user's conftest.py has it


def redis_layer(url: str) -> dict:
    return {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}}


def test_test_settings_define_a_channel_layer(harness_db):
    test_settings = importlib.import_module("harness.settings.test")
    assert test_settings.CHANNEL_LAYERS["default"]["BACKEND"] in (
        "channels.layers.InMemoryChannelLayer", "channels_redis.core.RedisChannelLayer")


@pytest.mark.asyncio
async def test_ready_on_the_in_memory_layer(memory_layer, channel_layer_ready):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


@pytest.mark.asyncio
async def test_ready_on_the_redis_layer(redis_layer, channel_layer_ready):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"


@pytest.mark.asyncio
async def test_check_names_a_missing_setting(harness_db):
    saved = settings.CHANNEL_LAYERS
    del settings.CHANNEL_LAYERS
    channel_layers.backends.clear()
    try:
        with pytest.raises(CHECK.ChannelLayerUnusable, match=r"^CHANNEL_LAYERS has no 'default' layer"):
            await asyncio.wait_for(CHECK.check_channel_layer(), 10)
    finally:
        settings.CHANNEL_LAYERS = saved
        channel_layers.backends.clear()


@pytest.mark.asyncio
async def test_check_names_a_refused_redis(harness_db):
    with socket.socket() as bound:  # bound, not listening: connections are refused
        bound.bind(("127.0.0.1", 0))
        port = bound.getsockname()[1]
        with override_settings(CHANNEL_LAYERS=redis_layer(f"redis://127.0.0.1:{port}/0")):
            with pytest.raises(CHECK.ChannelLayerUnusable) as failed:
                await asyncio.wait_for(CHECK.check_channel_layer(), 10)
    assert "(RedisChannelLayer)" in str(failed.value)
    assert f"redis.exceptions.ConnectionError: Error 111 connecting to 127.0.0.1:{port}." in str(failed.value)
    assert "\n" not in str(failed.value)


@pytest.mark.asyncio
async def test_check_names_an_unknown_host(harness_db):
    with override_settings(CHANNEL_LAYERS=redis_layer("redis://redis.invalid:6379/0")):
        with pytest.raises(CHECK.ChannelLayerUnusable,
                           match=r"redis\.exceptions\.ConnectionError: Error -?\d+ connecting to redis\.invalid:6379\."):
            await asyncio.wait_for(CHECK.check_channel_layer(), 10)
