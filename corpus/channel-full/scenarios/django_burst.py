"""Django's test runner: a sync TestCase test fills a channel through async_to_sync."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.test import SimpleTestCase


class NotificationBurstTests(SimpleTestCase):
    def test_burst_is_queued(self):
        layer = get_channel_layer()
        for number in range(150):
            async_to_sync(layer.send)("notifications", {"type": "notify", "number": number})
        first = async_to_sync(layer.receive)("notifications")
        self.assertEqual(first["number"], 0)
