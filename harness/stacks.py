"""Builders for the WebSocket stacks. Each returns a fresh ASGI application."""

from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .middleware import JWTAuthMiddleware


def websocket_router():
    from .routing import websocket_urlpatterns

    return URLRouter(websocket_urlpatterns)


def production_stack(inner=None):
    """Origin validation -> JWT auth -> ``inner`` (the harness's URLRouter by default)."""
    return AllowedHostsOriginValidator(JWTAuthMiddleware(inner or websocket_router()))


def unvalidated_test_stack(inner=None):
    """The incident's test-only stack: production without the origin validator.

    It makes Origin-less test clients connect, and so tests a stack production does not run.
    Refused outside test settings.
    """
    if not getattr(settings, "TESTING", False):
        raise ImproperlyConfigured("unvalidated_test_stack() is for test settings only")
    return JWTAuthMiddleware(inner or websocket_router())


STACKS = {"production": production_stack, "unvalidated": unvalidated_test_stack}


def server_application(http_app):
    """What ``harness.asgi`` serves: HTTP to Django, WebSockets to ``settings.WEBSOCKET_STACK``."""
    try:
        build = STACKS[settings.WEBSOCKET_STACK]
    except KeyError:
        raise ImproperlyConfigured(f"unknown WEBSOCKET_STACK {settings.WEBSOCKET_STACK!r}") from None
    return ProtocolTypeRouter({"http": http_app, "websocket": build()})
