"""warnings-as-errors: a test reads websockets' legacy asyncio API (deprecated in 14.0) while the
pytest configuration turns that DeprecationWarning into an error.

The filters are read as pytest applies them: the ini's ``filterwarnings`` in order, then ``-W``
options of ``addopts`` (escaped, as pytest escapes them), then ``filterwarnings`` marks; the last
one that matches the warning wins. A read that a later ``ignore``/``default``/... filter may
match, one under ``-p no:warnings``, inside ``warnings.catch_warnings()``/``pytest.warns()``, or
in a fallback (an ``except ImportError`` handler, an ``if`` on a version) is not reported. Only
test modules, conftest.py files and modules in a tests folder are read (what pytest imports)."""

import ast
import re
import shlex

from ..context import constant, dotted
from ..model import Rule

ENTRY = "warnings-as-errors"
SEE = "; see https://websockets.readthedocs.io/en/stable/howto/upgrade.html for upgrade instructions"
#: websockets 14.0's deprecated aliases (the write-up's list; InvalidMessage left out: 14.0 only)
ALIASES = {
    "websockets.client": ("connect", "unix_connect", "WebSocketClientProtocol"),
    "websockets.server": ("serve", "unix_serve", "broadcast", "WebSocketServer", "WebSocketServerProtocol"),
    "websockets.exceptions": ("AbortHandshake", "InvalidStatusCode", "RedirectHandshake", "WebSocketProtocolError"),
    "websockets": ("BasicAuthWebSocketServerProtocol", "basic_auth_protocol_factory", "WebSocketClientProtocol",
                   "AbortHandshake", "InvalidStatusCode", "RedirectHandshake", "WebSocketProtocolError",
                   "WebSocketCommonProtocol", "WebSocketServer", "WebSocketServerProtocol"),
}
CATEGORIES = {"", "Warning", "DeprecationWarning", "builtins.Warning", "builtins.DeprecationWarning"}
ACTIONS = ("default", "error", "ignore", "always", "all", "module", "once")
SHIELDS = ("catch_warnings", "warns", "deprecated_call")


def parse_filter(text: str, escape: bool):
    """``(action, message regex, module regex)`` of a filter that may apply to a
    DeprecationWarning, or None (another category, a malformed filter)."""
    parts = text.split(":")
    if len(parts) > 5:
        return None
    action, message, category, module, _ = (p.strip() for p in parts + [""] * (5 - len(parts)))
    action = next((a for a in ACTIONS if action and a.startswith(action.lower())), None)
    if action is None or category not in CATEGORIES:
        return None
    if escape:
        message = re.escape(message) if message else ""
        module = re.escape(module) + r"\Z" if module else ""
    try:
        return action, re.compile(message, re.I) if message else None, re.compile(module) if module else None
    except re.error:
        return None


def command_line_filters(addopts: str) -> list[str]:
    try:
        words = shlex.split(addopts)
    except ValueError:
        words = addopts.split()
    found, after = [], False
    for word in words:
        if after:
            found.append(word)
            after = False
        elif word in ("-W", "--pythonwarnings"):
            after = True
        elif word.startswith("--pythonwarnings="):
            found.append(word.partition("=")[2])
        elif word.startswith("-W"):
            found.append(word[2:].lstrip("="))
    return found


def mark_filters(ctx, node) -> list[str]:
    func = ctx.function_of(node)
    holders = []
    if func is not None:
        holders += func.decorator_list
        owner = ctx.class_of(func)
        holders += owner.decorator_list if owner is not None else []
    if "pytestmark" in ctx.assigns:
        holders.append(ctx.assigns["pytestmark"])
    return [constant(a) for h in holders for n in ctx.walk(h) if isinstance(n, ast.Call)
            and dotted(n.func).endswith("mark.filterwarnings") for a in n.args if isinstance(constant(a), str)]


def raises_here(ctx, node, message: str, modules: list[str]) -> str | None:
    """How the warning is made an error at ``node`` ("filterwarnings = error", "-W error", a mark),
    or None where the last filter that may match it is not ``error``."""
    config = ctx.pytest_ini
    addopts = config.get("addopts", "")
    if re.search(r"-p\s*no:warnings\b", addopts):
        return None
    layers = [("filterwarnings = {} in the pytest configuration", config.get("filterwarnings", "").splitlines(), False),
              ("-W {} in addopts", command_line_filters(addopts), True),
              ("a filterwarnings({!r}) mark", mark_filters(ctx, node), False)]
    verdict = None
    for how, filters, escape in layers:
        for text in filters:
            parsed = parse_filter(text, escape)
            if parsed is None:
                continue
            action, text_re, module_re = parsed
            if text_re is not None and not text_re.match(message):
                continue
            if module_re is not None and not any(module_re.match(m) for m in modules):
                continue
            verdict = how.format(text) if action == "error" else None
    return verdict


def shielded(ctx, node) -> bool:
    parent = ctx.parents.get(node)
    while parent is not None:
        if isinstance(parent, (ast.With, ast.AsyncWith)) and any(
                isinstance(i.context_expr, ast.Call) and ctx.last(i.context_expr) in SHIELDS for i in parent.items):
            return True
        if isinstance(parent, ast.ExceptHandler) and "Error" in ctx.text(parent.type or parent):
            return True
        if isinstance(parent, ast.If) and "version" in ctx.text(parent.test).lower():
            return True
        parent = ctx.parents.get(parent)
    return False


def legacy_reads(ctx):
    """``(node, the warning's text, the modules it is attributed to)`` for each read."""
    reader = [ctx.path.stem, ctx.project.module_name(ctx.path) or ctx.path.stem]
    for node in ctx.nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "websockets.legacy" or alias.name.startswith("websockets.legacy."):
                    yield node, "websockets.legacy is deprecated" + SEE, ["websockets.legacy"]
                elif alias.name == "websockets.auth":
                    yield node, "websockets.auth, an alias for websockets.legacy.auth, is deprecated" + SEE, \
                        ["websockets.auth"]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [a.name for a in node.names]
            if node.module == "websockets.legacy" or node.module.startswith("websockets.legacy."):
                yield node, "websockets.legacy is deprecated" + SEE, ["websockets.legacy"]
            elif node.module == "websockets.auth" or (node.module == "websockets" and "auth" in names):
                yield node, "websockets.auth, an alias for websockets.legacy.auth, is deprecated" + SEE, \
                    ["websockets.auth"]
            elif node.module == "websockets" and "legacy" in names:
                yield node, "websockets.legacy is deprecated" + SEE, ["websockets.legacy"]
            else:
                deprecated = [n for n in names if n in ALIASES.get(node.module, ())]
                if deprecated:
                    yield node, f"{node.module}.{deprecated[0]} is deprecated", reader
        elif isinstance(node, ast.Attribute) and not isinstance(ctx.parents.get(node), ast.Attribute):
            module, _, name = ctx.qual(node).rpartition(".")
            if name in ALIASES.get(module, ()) and dotted(node).partition(".")[0] in ctx.imports:
                yield node, f"{module}.{name} is deprecated", reader


def is_test_code(ctx) -> bool:
    name = ctx.path.name
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py" \
        or any(p.name in ("tests", "test", "testing") for p in ctx.path.parents)


def legacy_under_error(ctx):
    if not is_test_code(ctx):
        return
    for node, message, modules in legacy_reads(ctx):
        if shielded(ctx, node):
            continue
        how = raises_here(ctx, node, message, modules)
        if how:
            yield node, f"DeprecationWarning: {message.removesuffix(SEE)} (an error by {how})"


PYTEST_INI = "[pytest]\nasyncio_mode = auto\nfilterwarnings =\n    error\n"
LEGACY = '''from websockets.client import connect


async def test_echo(live_url):
    async with connect(live_url, origin="http://localhost") as ws:
        await ws.send("hello")
        assert await ws.recv() == "hello"
'''

RULES = [
    Rule(code="KB320", needs=("websockets",), entry=ENTRY, name="legacy-websockets-under-filterwarnings-error",
         check=legacy_under_error, versions={"websockets": ">=14"},
         message="websockets' legacy API where pytest makes its DeprecationWarning an error: from websockets 14.0 "
                 "this read fails the test (a module's collection, a conftest's loading)",
         fix="use the new client: from websockets.asyncio.client import connect (websockets >= 13.0) and "
             "websockets.exceptions.InvalidStatus (.response.status_code); until then ignore exactly these "
             "messages in the ini after 'error' (ignore:websockets\\.client\\.connect is deprecated:DeprecationWarning), "
             "and keep 'error' in the ini, not -W error on the command line",
         beside={"pytest.ini": PYTEST_INI},
         flags=("# pytest.ini (beside): filterwarnings = error\n" + LEGACY,
                "# pytest.ini (beside): filterwarnings = error\nimport pytest\nimport websockets\n\n\n"
                "async def test_refused(live_url):\n"
                "    with pytest.raises(websockets.exceptions.InvalidStatusCode):\n"
                "        from websockets.legacy.client import connect\n\n"
                "        await connect(live_url)\n"),
         passes=("# pytest.ini (beside): filterwarnings = error\n"
                 + LEGACY.replace("from websockets.client import", "from websockets.asyncio.client import"),
                 "# pytest.ini (beside): filterwarnings = error; the test ignores this one warning\nimport pytest\n\n\n"
                 "@pytest.mark.filterwarnings(\"ignore:websockets.client.connect is deprecated:DeprecationWarning\")\n"
                 "async def test_echo(live_url):\n    from websockets.client import connect\n\n"
                 "    async with connect(live_url, origin=\"http://localhost\") as ws:\n        await ws.send(\"hello\")\n",
                 "# pytest.ini (beside): filterwarnings = error; a fallback for websockets < 13\n"
                 "try:\n    from websockets.asyncio.client import connect\nexcept ImportError:\n"
                 "    from websockets.legacy.client import connect\n")),
]
