"""channel-layer-setup: the settings the tests use give them no working channel layer (no
``CHANNEL_LAYERS`` at all, or the production settings' Redis host inherited by the tests).

"The settings the tests use" is the module pytest names (``DJANGO_SETTINGS_MODULE`` in its
configuration, ``--ds``), else the one a ``conftest.py`` above the test sets with
``os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)``; it is read with the project modules it
imports. Where a module cannot be read (a star import from outside the project, settings
built by ``include()``/``exec()``/``globals()``), or any scanned file or conftest names
``CHANNEL_LAYERS`` (an override at run time), the rules say nothing. A finding is placed where
the tests reach the layer: ``get_channel_layer()``, a ``group_send``/``group_add``/
``group_discard`` on a channel layer, or a consumer's ``groups``."""

import ast
import ipaddress
import re
from urllib.parse import urlsplit

from ..context import MARKERS, constant, dotted, kwarg
from ..model import Rule

ENTRY = "channel-layer-setup"
GROUP_CALLS = ("group_send", "group_add", "group_discard")
LOCAL_HOSTS = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
OPAQUE_CALLS = ("include", "exec", "globals", "locals", "setattr", "import_module")
CI_FILES = (".gitlab-ci.yml", ".gitlab-ci.yaml", ".circleci/config.yml", "bitbucket-pipelines.yml",
            "azure-pipelines.yml", ".travis.yml", "Jenkinsfile", ".drone.yml", "cloudbuild.yaml")


# --- the settings the tests use -----------------------------------------------------------
def settings_name(ctx) -> str | None:
    name = ctx.pytest_ini.get("django_settings_module")
    if name:
        return name
    for other in ctx.project.conftests(ctx.path) + ([ctx] if ctx.path.name == "conftest.py" else []):
        for call in other.calls:
            if ctx.last(call) != "setdefault" or "environ" not in dotted(call.func):
                continue
            args = [constant(a) for a in call.args]
            if len(args) == 2 and args[0] == "DJANGO_SETTINGS_MODULE" and isinstance(args[1], str):
                return args[1]
    return None


def settings_chain(ctx):
    """``(name, [module, the project modules it imports, ...])`` of the test settings, or None
    where any of it cannot be read."""
    name = settings_name(ctx)
    if not name:
        return None
    module = ctx.project.module(name)
    if module is None:
        return None

    def read():
        chain = module.reachable(depth=6)
        for settings in chain:
            for node in settings.tree.body:
                if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                    base = node.module if not node.level else \
                        ".".join(filter(None, [settings.package_of(node.level), node.module]))
                    if ctx.project.module(base) is None:
                        return None  # a star import from outside the project: unknown settings
            if any(settings.last(c) in OPAQUE_CALLS and settings.function_of(c) is None for c in settings.calls):
                return None  # settings made by code at import time (split-settings' include(), exec())
        return chain

    chain = ctx.project.memo(("channel-layer-settings", name), read)
    return (name, chain) if chain else None


def is_channels_project(chain) -> bool:
    for settings in chain:
        if "ASGI_APPLICATION" in settings.assigns:
            return True
        apps = settings.assigns.get("INSTALLED_APPS")
        if isinstance(apps, (ast.List, ast.Tuple)) and any(constant(e) in ("channels", "daphne") for e in apps.elts):
            return True
    return False


def names_layers_at_run_time(ctx) -> bool:
    """``settings.CHANNEL_LAYERS``, ``override_settings(CHANNEL_LAYERS=...)``, the string (a
    ``setattr``), or the name inside a function: not a settings module's own assignment."""
    if "CHANNEL_LAYERS" not in ctx.source:
        return False
    for node in ctx.nodes:
        if isinstance(node, ast.Attribute) and node.attr == "CHANNEL_LAYERS" \
                or isinstance(node, ast.keyword) and node.arg == "CHANNEL_LAYERS" \
                or isinstance(node, ast.Constant) and node.value == "CHANNEL_LAYERS" \
                or isinstance(node, ast.Name) and node.id == "CHANNEL_LAYERS" and ctx.function_of(node) is not None:
            return True
    return False


def overridden_at_run_time(ctx) -> bool:
    """A scanned file or a conftest above this one sets CHANNEL_LAYERS at run time
    (override_settings, the pytest-django ``settings`` fixture, a fixture that sets it)."""
    def scanned():
        return any(names_layers_at_run_time(other) for other in ctx.project.scanned())

    return ctx.project.memo("channel-layers-named-in-scan", scanned) or names_layers_at_run_time(ctx) \
        or any(names_layers_at_run_time(c) for c in ctx.project.conftests(ctx.path))


# --- where the tests reach the layer -----------------------------------------------------
def layer_uses(ctx):
    for call in ctx.calls:
        name = ctx.qual(call.func).rpartition(".")[2]
        if name == "get_channel_layer":
            yield call
        elif name in GROUP_CALLS and isinstance(call.func, ast.Attribute) and (
                "channel_layer" in dotted(call.func.value) or any(
                    isinstance(v, ast.Call) and ctx.last(v) == "get_channel_layer"
                    for _, v in ctx.values_of(call.func.value))):
            yield call
    for cls in ctx.classes.values():
        if any(dotted(b).endswith("Consumer") for b in cls.bases):
            for stmt in cls.body:
                if isinstance(stmt, ast.Assign) and any(dotted(t) == "groups" for t in stmt.targets) \
                        and isinstance(stmt.value, (ast.List, ast.Tuple)) and stmt.value.elts:
                    yield stmt


def first_use(ctx):
    uses = sorted(layer_uses(ctx), key=lambda n: (n.lineno, n.col_offset))
    return uses[0] if uses else None


def without_channel_layers(ctx):
    found = settings_chain(ctx)
    use = first_use(ctx) if found is not None else None
    if use is None or overridden_at_run_time(ctx):
        return
    name, chain = found
    if is_channels_project(chain) and not any("CHANNEL_LAYERS" in s.source for s in chain):
        yield use, f"{name} (and what it imports) sets no CHANNEL_LAYERS"


# --- a production Redis host inherited by the test settings ------------------------------
def strings_of(ctx, node, depth: int = 0) -> list[str]:
    """The strings ``node`` may be: a literal, a name's value, an f-string of those, the default
    of ``os.environ.get``/``os.getenv``/``env(..., default=...)`` (a value read from the
    environment without a default gives none)."""
    if depth > 4:
        return []
    if isinstance(node, ast.Constant):
        return [node.value] if isinstance(node.value, str) else []
    if isinstance(node, ast.Name):
        return [s for c, v in ctx.values_of(node) for s in strings_of(c, v, depth + 1)]
    if isinstance(node, ast.JoinedStr):
        text = ""
        for part in node.values:
            values = strings_of(ctx, part.value, depth + 1) if isinstance(part, ast.FormattedValue) \
                else [constant(part, "")]
            if len(values) != 1:
                return []
            text += values[0]
        return [text]
    if isinstance(node, ast.Call):
        name = dotted(node.func)
        if name.endswith(("environ.get", "getenv")) or name in ("env", "env.str", "config"):
            default = kwarg(node, "default", 1)
            return strings_of(ctx, default, depth + 1) if default is not None else []
    return []


def host_name(text: str) -> str | None:
    """The host of a Redis URL or a bare host; None for a local name, an IP or a socket."""
    host = urlsplit(text).hostname if "://" in text else text.strip()
    if not host or "/" in host or host in LOCAL_HOSTS:
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        return host if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", host) else None


def redis_hosts(settings, layers) -> list[str]:
    """The non-local host names of the Redis layers in a CHANNEL_LAYERS dict literal."""
    found = []
    for alias in layers.values if isinstance(layers, ast.Dict) else []:
        items = {constant(k): v for k, v in zip(alias.keys, alias.values, strict=False)} \
            if isinstance(alias, ast.Dict) else {}
        backend = constant(items.get("BACKEND"))
        config = items.get("CONFIG")
        if not (isinstance(backend, str) and backend.startswith("channels_redis.")) or not isinstance(config, ast.Dict):
            continue
        hosts = {constant(k): v for k, v in zip(config.keys, config.values, strict=False)}.get("hosts")
        values = [v for _, v in settings.values_of(hosts)] if isinstance(hosts, ast.Name) else [hosts]
        for value in values:
            for host in value.elts if isinstance(value, (ast.List, ast.Tuple)) else []:
                if isinstance(host, (ast.Tuple, ast.List)) and host.elts:
                    host = host.elts[0]
                elif isinstance(host, ast.Dict):
                    keyed = {constant(k): v for k, v in zip(host.keys, host.values, strict=False)}
                    host = keyed.get("address", keyed.get("host"))
                for text in strings_of(settings, host) if host is not None else []:
                    if (name := host_name(text)) and name not in found:
                        found.append(name)
    return found


def named_in_ci(ctx, host: str) -> bool:
    """The host (a service alias) or docker compose appears in the project's CI configuration:
    the tests may run where the name resolves."""
    files = []
    for folder in ctx.path.resolve().parents:  # up to the project's root (its pyproject.toml, .git, ...)
        files += [folder / n for n in CI_FILES] + sorted((folder / ".github" / "workflows").glob("*.y*ml"))
        if any((folder / m).exists() for m in MARKERS) or not any(folder.is_relative_to(r) for r in ctx.project.roots):
            break
    pattern = re.compile(rf"(?<![\w.-]){re.escape(host)}(?![\w-])|docker[ -]compose", re.I)
    for path in files:
        try:
            if path.is_file() and pattern.search(path.read_text(encoding="utf-8", errors="replace")):
                return True
        except OSError:
            return True
    return False


def inherited_production_host(ctx):
    found = settings_chain(ctx)
    use = first_use(ctx) if found is not None else None
    if use is None or overridden_at_run_time(ctx):
        return
    name, chain = found
    test_settings, imported = chain[0], chain[1:]
    if "CHANNEL_LAYERS" in test_settings.source or not is_channels_project(chain):
        return
    owners = [s for s in imported if "CHANNEL_LAYERS" in s.source]
    if len(owners) != 1 or not isinstance(owners[0].assigns.get("CHANNEL_LAYERS"), ast.Dict):
        return  # more than one candidate, or a value made by code: not judged
    owner = owners[0]
    hosts = [h for h in redis_hosts(owner, owner.assigns["CHANNEL_LAYERS"]) if not named_in_ci(ctx, h)]
    if hosts:
        module = ctx.project.module_name(owner.path) or owner.path.name
        yield use, f"{name} takes CHANNEL_LAYERS from {module}, host {hosts[0]!r}"


SETTINGS_BASE = '''INSTALLED_APPS = ["django.contrib.auth", "channels", "chat"]
ASGI_APPLICATION = "config.asgi.application"
'''
TEST = '''from channels.layers import get_channel_layer


async def test_broadcast():
    await get_channel_layer().group_send("lobby", {"type": "lobby.news", "text": "hello"})
'''
PYTEST_INI = "[pytest]\nDJANGO_SETTINGS_MODULE = settings_test\nasyncio_mode = auto\n"
REDIS_PRODUCTION = SETTINGS_BASE + '''import os

REDIS_HOST = os.environ.get("REDIS_HOST", "redis")
CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                              "CONFIG": {"hosts": [(REDIS_HOST, 6379)]}}}
'''

RULES = [
    Rule(code="KB310", needs=("channel_layer", "group_send", "group_add", "group_discard", "groups"), entry=ENTRY,
         name="test-settings-without-channel-layers", check=without_channel_layers,
         message="the settings the tests use define no CHANNEL_LAYERS (a Channels project): get_channel_layer() "
                 "is None, so this fails with 'NoneType' object has no attribute 'group_send' (InvalidChannelLayerError "
                 "for a consumer's groups, no attribute 'channel_name' in a consumer that reads it)",
         fix="give the test settings their own CHANNEL_LAYERS: {\"default\": {\"BACKEND\": "
             "\"channels.layers.InMemoryChannelLayer\"}} for in-process tests, a Redis the test run starts "
             "for tests across processes; check the layer once at set-up (the entry's channel_layer_ready)",
         beside={"pytest.ini": PYTEST_INI, "settings_base.py": SETTINGS_BASE,
                 "settings_test.py": "from settings_base import *  # noqa: F403\n\nDEBUG = True\n"},
         flags=("# settings_test.py (beside): settings_base.py's, with no channel layer setting\n" + TEST,),
         passes=("# settings_test.py (beside): settings_base.py's, with no channel layer setting; no layer used here\n"
                 "async def test_nothing():\n    assert True\n",
                 "from django.test import override_settings\n\n"
                 "@override_settings(CHANNEL_LAYERS={\"default\": {\"BACKEND\": \"channels.layers.InMemoryChannelLayer\"}})\n"
                 + TEST)),
    Rule(code="KB311", needs=("channel_layer", "group_send", "group_add", "group_discard", "groups"), entry=ENTRY,
         name="test-settings-inherit-production-redis-host", check=inherited_production_host,
         message="the test settings inherit the production Redis channel layer, whose host is a service name: "
                 "where it does not resolve, the first use fails with redis.exceptions.ConnectionError: "
                 "Error -2 connecting to redis:6379. Name or service not known",
         fix="define CHANNEL_LAYERS in the test settings, after the production import: in-memory for in-process "
             "tests, or a Redis the test run starts (REDIS_URL of the CI job); check the layer once at set-up",
         beside={"pytest.ini": PYTEST_INI, "settings_base.py": REDIS_PRODUCTION,
                 "settings_test.py": "from settings_base import *  # noqa: F403\n\nDEBUG = True\n"},
         flags=("# settings_test.py (beside): settings_base.py's Redis layer, host $REDIS_HOST or 'redis'\n" + TEST,),
         passes=("# settings_test.py (beside): settings_base.py's Redis layer; no layer used here\n"
                 "async def test_nothing():\n    assert True\n",
                 "# settings_test.py (beside): settings_base.py's Redis layer; the test brings its own\n"
                 "from django.test import override_settings\n\n"
                 "@override_settings(CHANNEL_LAYERS={\"default\": {\"BACKEND\": \"channels.layers.InMemoryChannelLayer\"}})\n"
                 + TEST)),
]
