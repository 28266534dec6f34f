"""no-route: routes ``URLRouter`` can never match, and test paths no route of the project matches."""

import ast
import re

from ..context import constant, kwarg
from ..model import Rule

ENTRY = "no-route"
CONVERTERS = {"int": "[0-9]+", "str": "[^/]+", "slug": "[-a-zA-Z0-9_]+", "path": ".+",
              "uuid": "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"}


def route_calls(ctx) -> list:
    """``(call, pattern, is_path)`` of each route the file declares (kept per file)."""
    return ctx.memo("route_calls", lambda: [
        (call, constant(call.args[0]), ctx.qual(call.func).endswith(".path")) for call in ctx.calls
        if ctx.qual(call.func) in ("django.urls.path", "django.urls.re_path", "django.conf.urls.url")
        and call.args and isinstance(constant(call.args[0]), str)])


def leading_slash(ctx):
    for call, pattern, _is_path in route_calls(ctx):
        if pattern.startswith("/") or pattern.startswith("^/"):
            yield call.args[0], repr(pattern)


def regex_in_path(ctx):
    for call, pattern, is_path in route_calls(ctx):
        if is_path and (pattern.startswith("^") or pattern.endswith("$") or "(?P<" in pattern):
            yield call.args[0], repr(pattern)


def router_behind_dollar(ctx):
    for call, pattern, _is_path in route_calls(ctx):
        if len(call.args) > 1 and pattern.endswith("$") and ctx.builds(call.args[1], ("URLRouter",)):
            yield call.args[0], repr(pattern)


def websocket_scopes(ctx) -> list:
    """``(dict, its items)`` of each websocket scope written as a literal (kept per file)."""
    return ctx.memo("websocket_scopes", lambda: list(_websocket_scopes(ctx)))


def _websocket_scopes(ctx):
    for node in ctx.nodes:
        if type(node) is ast.Dict:
            items = {constant(k): v for k, v in zip(node.keys, node.values, strict=False) if k is not None}
            if constant(items.get("type")) == "websocket" and isinstance(constant(items.get("path")), str):
                yield node, items


def query_in_path(ctx):
    for _node, items in websocket_scopes(ctx):
        if "?" in constant(items["path"]):
            yield items["path"], repr(constant(items["path"]))


def root_path_mismatch(ctx):
    for _node, items in websocket_scopes(ctx):
        root = constant(items.get("root_path"))
        if isinstance(root, str) and root and (not root.startswith("/")
                                              or not constant(items["path"]).startswith(root)):
            yield items["root_path"], f"root_path {root!r}, path {constant(items['path'])!r}"


def to_regex(pattern: str, is_path: bool) -> str:
    if not is_path:
        return pattern.removeprefix("^")
    out, at = [], 0
    for m in re.finditer(r"<(?:(\w+):)?\w+>", pattern):
        out.append(re.escape(pattern[at:m.start()]))
        out.append(CONVERTERS.get(m.group(1) or "str", "[^/]+"))
        at = m.end()
    return "".join(out) + re.escape(pattern[at:]) + "$"


def routes_of(here) -> list:
    """``(regex, ends_in_router)`` of the routes written in one file (kept per file)."""
    return here.memo("routes", lambda: _routes_of(here))


def _routes_of(here) -> list:
    routes = []
    for call, pattern, is_path in route_calls(here):
        nested = len(call.args) > 1 and isinstance(call.args[1], ast.Call) and here.last(call.args[1]) == "URLRouter"
        routes.append((to_regex(pattern, is_path), nested))
    return routes


def project_routes(ctx):
    """The routes of this file, of the project modules it reaches and of every file of the scan."""
    scanned = ctx.project.memo("routes", lambda: list(dict.fromkeys(r for c in ctx.project.scanned()
                                                                      for r in routes_of(c))))
    return list(dict.fromkeys([r for here in ctx.reachable(4) for r in routes_of(here)] + scanned))


def unrouted_test_paths(ctx):
    paths = []
    for call in ctx.calls:
        if "ommunicator" in ctx.last(call) and ctx.last(call) != "ApplicationCommunicator":
            app = call.args[0] if ctx.last(call) == "WebsocketCommunicator" and call.args else kwarg(call, "application")
            if app is not None and not ctx.builds(app, ("URLRouter",)):
                continue  # a consumer (or an application the scan cannot follow): no route in between
            for arg in call.args[:2]:
                value = constant(arg)
                if isinstance(value, str) and value.startswith("/"):
                    paths.append((arg, value))
    if not paths:
        return
    routes = project_routes(ctx)
    if not routes:
        return
    for node, value in paths:
        path = value.split("?", 1)[0].lstrip("/")
        ok = False
        for regex, nested in routes:
            try:
                m = re.match(regex, path)
            except re.error:
                ok = True  # a pattern this scan cannot read: assume it routes
                break
            if m and (nested or m.end() == len(path)):
                ok = True  # an endpoint matches the whole path; a nested router its start
                break
        if not ok:
            yield node, repr(value)


RULES = [
    Rule(code="KB230", needs=('path(', 'url('), entry=ENTRY, name="route-leading-slash", check=leading_slash,
         message="a route written with a leading '/': URLRouter matches the path without it, never this",
         fix="drop the leading '/': path(\"ws/echo/\", ...)",
         flags=("from django.urls import path\n\nroutes = [path('/ws/echo/', Echo.as_asgi())]\n",),
         passes=("from django.urls import path\n\nroutes = [path('ws/echo/', Echo.as_asgi())]\n",)),
    Rule(code="KB231", needs=('path(',), entry=ENTRY, name="regex-in-path", check=regex_in_path,
         message="a regular expression given to path(), which takes a route ('ws/<str:room>/')",
         fix="use re_path() for a regular expression, or write the route with converters",
         flags=("from django.urls import path\n\nroutes = [path(r'^ws/echo/$', Echo.as_asgi())]\n",),
         passes=("from django.urls import re_path\n\nroutes = [re_path(r'^ws/echo/$', Echo.as_asgi())]\n",)),
    Rule(code="KB232", needs=('path(', 'url('), entry=ENTRY, name="nested-router-behind-dollar", check=router_behind_dollar,
         message="a nested URLRouter behind a pattern ending in '$': nothing below it can match",
         fix="end the outer pattern without '$': re_path(r\"^ws/\", URLRouter([...]))",
         flags=("from channels.routing import URLRouter\nfrom django.urls import re_path\n\n"
                "routes = [re_path(r'^ws/$', URLRouter(inner))]\n",),
         passes=("from channels.routing import URLRouter\nfrom django.urls import re_path\n\n"
                 "routes = [re_path(r'^ws/', URLRouter(inner))]\n",)),
    Rule(code="KB233", needs=('websocket',), entry=ENTRY, name="query-in-scope-path", check=query_in_path,
         message="a query string inside a hand-built scope's 'path': routes never match it",
         fix="put it in 'query_string': b\"lang=en\" and keep 'path' to the path",
         flags=("scope = {'type': 'websocket', 'path': '/ws/echo/?lang=en', 'query_string': b''}\n",),
         passes=("scope = {'type': 'websocket', 'path': '/ws/echo/', 'query_string': b'lang=en'}\n",)),
    Rule(code="KB234", needs=('root_path',), entry=ENTRY, name="root-path-mismatch", check=root_path_mismatch,
         versions={"channels": ">=4.1"},
         message="a scope whose root_path does not start its path (or lacks its leading '/'): channels "
                 "4.1+'s outermost URLRouter refuses the whole path",
         fix="give 'path' the full path ('/app/ws/echo/' with root_path '/app'), root_path with its leading '/'",
         flags=("scope = {'type': 'websocket', 'path': '/ws/echo/', 'root_path': '/app'}\n",),
         passes=("scope = {'type': 'websocket', 'path': '/app/ws/echo/', 'root_path': '/app'}\n",)),
    Rule(code="KB235", needs=('ommunicator',), entry=ENTRY, name="test-path-not-routed", check=unrouted_test_paths,
         message="a communicator's path that no route of the project matches ('No route found for path')",
         fix="connect to the path a route accepts (a trailing '/', the characters its pattern allows)",
         flags=("from channels.routing import URLRouter\nfrom channels.testing import WebsocketCommunicator\n"
                "from django.urls import path\n\nroutes = [path('ws/echo/', Echo.as_asgi())]\n\n"
                "async def test_a():\n    c = WebsocketCommunicator(URLRouter(routes), '/ws/echo')\n",),
         passes=("from channels.routing import URLRouter\nfrom channels.testing import WebsocketCommunicator\n"
                 "from django.urls import path\n\nroutes = [path('ws/echo/', Echo.as_asgi())]\n\n"
                 "async def test_a():\n    c = WebsocketCommunicator(URLRouter(routes), '/ws/echo/')\n",)),
]
