"""Test settings give the in-memory layer a per-channel capacity, as channels-redis documents it.

``InMemoryChannelLayer`` keeps ``channel_capacity`` as the dict it was given (channels 4.0-4.3)
and ``get_capacity`` unpacks its keys: the first send or receive fails.
"""

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.test import override_settings

TEST_LAYERS = {
    "default": {
        "BACKEND": "channels.layers.InMemoryChannelLayer",
        "CONFIG": {"channel_capacity": {"notifications*": 1000}},
    }
}


@pytest.mark.asyncio
async def test_notification_burst_with_channel_capacity(harness_db):
    with override_settings(CHANNEL_LAYERS=TEST_LAYERS):
        layer = get_channel_layer()
        for number in range(150):
            await layer.send("notifications", {"type": "notify", "number": number})
        assert (await layer.receive("notifications"))["number"] == 0
    channel_layers.backends.clear()
