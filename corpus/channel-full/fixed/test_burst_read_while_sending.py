"""test_burst_send.py and test_channel_capacity.py fixed: the test settings' in-memory layer has a
``capacity`` above the burst (``channel_capacity`` is channels-redis's)."""

import pytest
from channels.layers import channel_layers, get_channel_layer
from django.test import override_settings

BURST = 150
TEST_LAYERS = {
    "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
}


@pytest.mark.asyncio
async def test_notification_burst(harness_db):
    with override_settings(CHANNEL_LAYERS=TEST_LAYERS):
        channel_layers.backends.clear()
        layer = get_channel_layer()
        for number in range(BURST):
            await layer.send("notifications", {"type": "notify", "number": number})
        assert (await layer.receive("notifications"))["number"] == 0
    channel_layers.backends.clear()
