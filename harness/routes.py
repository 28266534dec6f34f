"""Read a Channels routing tree: list its routes, explain a "No route found", find classes.

- ``explain_no_route(application, path)`` tries ``path`` against every route the way
  ``channels.routing.URLRouter.__call__`` does (root path cut, leading ``/`` stripped, each
  pattern's ``match``, nested routers given the remaining path) and returns one line per route
  tried, with a hint for the usual mistakes. It never calls a consumer.
- ``class_routes(application)`` names every place a consumer *class* is routed where an ASGI
  application (``Consumer.as_asgi()``) belongs.

Both find the ``URLRouter`` through the usual wrappers: ``OriginValidator`` (``.application``),
``BaseMiddleware`` (``.inner``) and ``ProtocolTypeRouter`` (its ``"websocket"`` entry).
"""

import inspect

from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls.resolvers import RoutePattern


def unwrap(application):
    """The first ``URLRouter`` inside ``application`` (itself included), or ``None``."""
    seen = set()
    while application is not None and id(application) not in seen:
        seen.add(id(application))
        if isinstance(application, URLRouter):
            return application
        if isinstance(application, ProtocolTypeRouter):
            application = application.application_mapping.get("websocket")
            continue
        application = getattr(application, "application", None) or getattr(application, "inner", None)
    return None


def pattern_text(route) -> str:
    """A route as it was written: ``path('ws/echo/')`` or ``re_path('^ws/x/$')``."""
    kind = "path" if isinstance(route.pattern, RoutePattern) else "re_path"
    return f"{kind}({str(route.pattern)!r})"


def _hints(route, path: str) -> list[str]:
    hints = []
    written = str(route.pattern)
    if written.lstrip("^").startswith("/"):
        hints.append("the pattern starts with '/', which URLRouter strips from every path")
    if isinstance(route.callback, URLRouter) and written.endswith("$"):
        hints.append("a nested router's pattern ends with '$', so no path can continue into it")
    if isinstance(route.pattern, RoutePattern) and any(ch in written for ch in "^$()\\"):
        hints.append("path() takes a route such as 'ws/<str:room>/', not a regular expression")
    if path.rstrip("/") and written.rstrip("$").rstrip("/") == path.rstrip("/") and written.rstrip("$") != path:
        hints.append("only the trailing '/' differs")
    return hints


def _try(router: URLRouter, path: str, depth: int, lines: list[str]) -> bool:
    for route in router.routes:
        match = route.pattern.match(path)
        pad = "  " * (depth + 1)
        if match:
            remaining = match[0]
            if isinstance(route.callback, URLRouter):
                lines.append(f"{pad}{pattern_text(route)}: matched, nested router gets {remaining!r}")
                if _try(route.callback, remaining, depth + 1, lines):
                    return True
                continue
            lines.append(f"{pad}{pattern_text(route)}: MATCHED")
            return True
        hints = "; ".join(_hints(route, path))
        lines.append(f"{pad}{pattern_text(route)}: no match" + (f" ({hints})" if hints else ""))
    return False


def explain_no_route(application, path: str, root_path: str = "") -> str:
    """Which route ``path`` (a ``scope["path"]``) matches, or why none does; several lines.

    Raises ``ValueError`` when ``application`` holds no ``URLRouter``.
    """
    router = unwrap(application)
    if router is None:
        raise ValueError(f"no URLRouter found in {application!r}")
    if root_path and not path.startswith(root_path):
        return f"scope path {path!r} does not start with root_path {root_path!r}: URLRouter refuses it"
    tried = path[len(root_path):].lstrip("/")
    lines = [f"scope path {path!r} -> URLRouter tries {tried!r}"]
    if "?" in tried:
        lines.append(
            "  the path holds '?': a query string belongs in scope['query_string'] "
            "(WebsocketCommunicator splits it off; a hand-built scope or an encoded %3F does not)"
        )
    found = _try(router, tried, 0, lines)
    lines.append("  -> routed" if found else f"  -> ValueError: No route found for path {tried!r}.")
    return "\n".join(lines)


def class_routes(application) -> list[str]:
    """Every consumer class routed where ``Consumer.as_asgi()`` belongs, one line each."""
    found = []
    if inspect.isclass(application):
        found.append(f"the application itself is the class {application.__name__}")
        return found
    if isinstance(application, ProtocolTypeRouter):
        for kind, inner in application.application_mapping.items():
            if inspect.isclass(inner):
                found.append(f"ProtocolTypeRouter[{kind!r}] is the class {inner.__name__}")
            else:
                found += class_routes(inner)
        return found
    router = unwrap(application)
    if router is None:
        return found
    for route in router.routes:
        if inspect.isclass(route.callback):
            found.append(f"{pattern_text(route)} routes to the class {route.callback.__name__}")
        elif isinstance(route.callback, URLRouter):
            found += class_routes(route.callback)
    return found
