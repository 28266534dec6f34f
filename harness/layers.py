"""Switch this process's channel layer at run time (a notebook parameter, a test fixture)."""

import contextlib
import os
from collections.abc import Iterator

from channels.layers import channel_layers
from django.conf import settings

from .settings.base import channel_layers as layer_config


def use_channel_layer(kind: str, redis_url: str | None = None) -> dict:
    """Point ``CHANNEL_LAYERS`` at ``kind`` ("memory" or "redis") and drop the cached layer.

    ``channels.layers.channel_layers`` caches one layer object per alias for the whole process
    (it only forgets it on Django's ``setting_changed`` signal), so changing the setting alone
    would keep serving the old layer. Also exports the choice to the environment, so a Daphne
    subprocess started afterwards uses the same layer.
    """
    config = layer_config(kind, redis_url)
    settings.CHANNEL_LAYERS = config
    os.environ["HARNESS_CHANNEL_LAYER"] = kind
    if redis_url:
        os.environ["REDIS_URL"] = redis_url
        settings.PRICE_REDIS_URL = redis_url
    channel_layers.backends.clear()
    return config


_EXPORTED = ("HARNESS_CHANNEL_LAYER", "REDIS_URL")


@contextlib.contextmanager
def channel_layer(kind: str, redis_url: str | None = None) -> Iterator[dict]:
    """``use_channel_layer`` for a block; restores the setting, the environment and the cache.

    Tests use this (through the ``redis_layer``/``memory_layer`` fixtures) so that one test's
    choice, including the exported ``REDIS_URL``, never leaks into the next test of the worker.
    """
    saved_env = {key: os.environ.get(key) for key in _EXPORTED}
    saved = (settings.CHANNEL_LAYERS, settings.PRICE_REDIS_URL)
    try:
        yield use_channel_layer(kind, redis_url)
    finally:
        settings.CHANNEL_LAYERS, settings.PRICE_REDIS_URL = saved
        for key, value in saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        channel_layers.backends.clear()
