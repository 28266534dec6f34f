"""real-server-environment: a server started on a fixed port, and the ``websockets`` client
(>= 15.0, which follows proxy variables) where proxy variables are set."""

import ast
import re

from ..context import constant, kwarg
from ..model import Rule

ENTRY = "real-server-environment"
SERVERS = re.compile(r"(server|serve|daphne|Daphne|live)", re.I)
PROXY = re.compile(r"\b(https?|all|socks|ws|wss)_proxy\b", re.I)
CI_FILES = (".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", "tox.ini",
            ".circleci/config.yml", "Jenkinsfile", "azure-pipelines.yml", ".travis.yml")


def fixed_port(ctx):
    for call in ctx.calls:
        if not SERVERS.search(ctx.last(call)) or ctx.last(call) in ("get_server", "server_address"):
            continue
        port = kwarg(call, "port")
        value = constant(port)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            yield port, f"port={value}"
        elif isinstance(port, ast.Name) and ctx.function_of(call) is not None and port.id in ctx.assigns \
                and port.id.isupper():
            yield port, f"port={port.id} (module-level)"


def proxy_set_in(ctx) -> str | None:
    for node in ctx.nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and PROXY.fullmatch(node.value):
            return f"{node.value} set in this file"
    root = ctx.project.root_of(ctx.path)
    cached = ctx.project.__dict__.setdefault("_ci_proxy", {})
    if root not in cached:
        cached[root] = None
        for pattern in CI_FILES:
            for path in sorted(root.glob(pattern)):
                try:
                    if PROXY.search(path.read_text(encoding="utf-8", errors="replace")):
                        cached[root] = f"proxy variables in {path.relative_to(root)}"
                        break
                except OSError:
                    continue
            if cached[root]:
                break
    return cached[root]


def proxy_followed(ctx):
    connects = [c for c in ctx.calls if ctx.qual(c.func) in (
        "websockets.connect", "websockets.client.connect", "websockets.asyncio.client.connect",
        "websockets.sync.client.connect") and kwarg(c, "proxy") is None]
    if not connects:
        return
    where = proxy_set_in(ctx)
    if where:
        for call in connects:
            yield call, where


RULES = [
    Rule(code="KB270", needs=('port',), entry=ENTRY, name="fixed-server-port", check=fixed_port,
         message="a test server on a fixed port: a server an earlier test left running, or another job "
                 "on the machine, holds it ('address already in use')",
         fix="bind port 0 and read the port the server got (daphne -p 0, the 'Listening on' line; "
             "ChannelsLiveServerTestCase does), and stop every server in a finally/fixture",
         flags=("def test_echo():\n    with daphne_server(port=8000) as server:\n        pass\n",),
         passes=("def test_echo():\n    with daphne_server(port=0) as server:\n        pass\n",)),
    Rule(code="KB271", needs=('websockets',), entry=ENTRY, name="websockets-follows-proxy", check=proxy_followed,
         versions={"websockets": ">=15"},
         message="websockets.connect() without proxy=None where proxy variables are set: websockets 15+ "
                 "sends ws://127.0.0.1 through the proxy",
         fix="pass proxy=None to websockets.connect for a local server (or an exact no_proxy)",
         flags=("import os\nimport websockets\n\nos.environ['http_proxy'] = 'http://proxy:3128'\n\n"
                "async def test_a(url):\n    async with websockets.connect(url) as ws:\n        pass\n",),
         passes=("import os\nimport websockets\n\nos.environ['http_proxy'] = 'http://proxy:3128'\n\n"
                 "async def test_a(url):\n    async with websockets.connect(url, proxy=None) as ws:\n        pass\n",)),
]
