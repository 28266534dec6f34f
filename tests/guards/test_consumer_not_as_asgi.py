"""Guard for consumer-not-as-asgi: the routing holds ASGI applications, never consumer classes.

Fails if a route of ``harness.routing`` or the production stack names a consumer class instead of
``Consumer.as_asgi()`` (routers only fail at the first connection, so this walks them), or if
``harness.routes.class_routes`` stops seeing a routed class. See context/consumer-not-as-asgi.md.
"""

import pytest


@pytest.fixture
def routing(harness_db):
    from harness import routes, routing, stacks

    return routes, routing, stacks


def test_project_routing_routes_no_class(routing):
    routes, routing_module, stacks = routing
    from channels.routing import URLRouter

    assert routes.class_routes(URLRouter(routing_module.websocket_urlpatterns)) == []
    assert routes.class_routes(stacks.production_stack()) == []


def test_class_routes_names_a_routed_class(routing):
    routes, _, _ = routing
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.urls import path

    from harness.consumers.echo import EchoConsumer

    application = ProtocolTypeRouter(
        {"websocket": URLRouter([path("ws/", URLRouter([path("echo/", EchoConsumer)]))])}
    )
    assert routes.class_routes(application) == ["path('echo/') routes to the class EchoConsumer"]
    assert routes.class_routes(ProtocolTypeRouter({"websocket": EchoConsumer})) == [
        "ProtocolTypeRouter['websocket'] is the class EchoConsumer"
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize("route", ["/ws/echo/", "/ws/match/guard/", "/ws/prices/"])
async def test_every_route_connects_through_the_production_stack(routing, route):
    from harness import client

    communicator = client.communicator(route, user="alice")
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect(timeout=5)
    assert connected, route
