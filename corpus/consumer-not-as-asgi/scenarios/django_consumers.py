"""Django's test runner: async SimpleTestCase tests that hand the communicator the class."""

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import SimpleTestCase
from django.urls import path

from harness.consumers.echo import EchoConsumer


class EchoConsumerTests(SimpleTestCase):
    async def test_communicator(self):
        communicator = WebsocketCommunicator(EchoConsumer, "/ws/echo/")
        connected, _ = await communicator.connect()
        self.assertTrue(connected)

    async def test_routing(self):
        application = URLRouter([path("ws/echo/", EchoConsumer)])
        communicator = WebsocketCommunicator(application, "/ws/echo/")
        connected, _ = await communicator.connect()
        self.assertTrue(connected)
