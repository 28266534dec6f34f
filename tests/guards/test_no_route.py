"""Guard for no-route: the project's routes match the paths its tests and clients use.

Fails if a route in ``harness.routing`` breaks Django's own route checks (a leading ``/``, a
regular expression given to ``path()``: Django's system checks never look at WebSocket routes) or
the write-up's ``route-problems`` snippet (nested routers, the leading ``/`` ``check()`` misses),
if a route stops being reachable through the production stack at the path the harness's
clients build (query string included), or if ``harness.routes.explain_no_route`` stops naming
the reason for a miss. See context/no-route.md.
"""

import pytest


@pytest.fixture
def project(harness_db):
    from harness import routes, routing, stacks

    return routes, routing, stacks


@pytest.fixture
def route_problems():
    from kb.snippets import load

    return load("no-route", "route-problems").route_problems


def test_every_route_passes_djangos_route_checks(project, route_problems):
    _, routing, _ = project
    assert [warning.id for route in routing.websocket_urlpatterns for warning in route.check()] == []
    assert route_problems(routing.websocket_urlpatterns) == []


def test_route_problems_finds_the_leading_slash_djangos_check_misses(project, route_problems):
    from channels.routing import URLRouter
    from django.test import override_settings
    from django.urls import path, re_path

    from harness.consumers.echo import EchoConsumer

    echo = EchoConsumer.as_asgi()
    prefixed = [path("/ws/", URLRouter([path("echo/", echo)]))]
    nested = [path("ws/", URLRouter([path("/echo/", echo)]))]
    URLRouter(prefixed), URLRouter(nested)  # as asgi.py builds them: the nested routes become prefixes
    with override_settings(APPEND_SLASH=False):
        no_append_slash = [path("/ws/echo/", echo)]
        assert [w.id for r in no_append_slash for w in r.check()] == []
        assert route_problems(no_append_slash) == ["'/ws/echo/' begins with '/', which URLRouter strips from every path"]
    assert [w.id for r in prefixed + nested for w in r.check()] == []
    assert route_problems(prefixed) == ["'/ws/' begins with '/', which URLRouter strips from every path"]
    assert [problem.split(":")[0] for problem in route_problems(nested)] == ["urls.W002"]
    assert [problem.split(":")[0] for problem in route_problems([path("/ws/echo/", echo)])] == ["urls.W002"]
    with override_settings(APPEND_SLASH=False):  # Django's test knows '^\/'; so must the snippet's own
        assert route_problems([re_path(r"^\/ws/echo/$", echo)]) == [
            "'^\\/ws/echo/$' begins with '/', which URLRouter strips from every path"
        ]


@pytest.mark.asyncio
async def test_route_problems_is_safe_before_the_router_is_built(project, route_problems):
    """On channels 4.0 a check() before URLRouter(...) freezes a nested prefix as an endpoint.

    The snippet wraps the list first, so a test may run it before asgi.py is imported; once
    wrapped, a nested router behind '$' is urls.W001.
    """
    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.urls import path, re_path

    from harness.consumers.echo import EchoConsumer

    echo = EchoConsumer.as_asgi()
    routes = [path("ws/", URLRouter([path("echo/", echo)]))]
    assert route_problems(routes) == []
    communicator = WebsocketCommunicator(URLRouter(routes), "/ws/echo/")
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect(timeout=5)
    assert connected
    behind_dollar = [re_path(r"^ws/$", URLRouter([path("echo/", echo)]))]
    assert [problem.split(":")[0] for problem in route_problems(behind_dollar)] == ["urls.W001"]


@pytest.mark.asyncio
@pytest.mark.parametrize("route", ["/ws/echo/", "/ws/match/guard-room/", "/ws/prices/"])
async def test_client_paths_reach_their_route(project, route):
    from harness import client

    routes, _, stacks = project
    assert routes.explain_no_route(stacks.production_stack(), route).endswith("-> routed")
    communicator = client.communicator(route, user="alice")  # adds ?token=... to the path
    assert communicator.scope["path"] == route
    connected, _ = await communicator.connect(timeout=5)
    await communicator.disconnect(timeout=5)
    assert connected


def test_explain_no_route_names_the_reason(project):
    routes, _, stacks = project
    from channels.routing import URLRouter
    from django.urls import path

    from harness.consumers.echo import EchoConsumer

    leading = routes.explain_no_route(URLRouter([path("/ws/echo/", EchoConsumer.as_asgi())]), "/ws/echo/")
    assert "path('/ws/echo/'): no match (the pattern starts with '/'" in leading
    assert leading.endswith("-> ValueError: No route found for path 'ws/echo/'.")
    trailing = routes.explain_no_route(stacks.production_stack(), "/ws/echo")
    assert "path('ws/echo/'): no match (only the trailing '/' differs)" in trailing
