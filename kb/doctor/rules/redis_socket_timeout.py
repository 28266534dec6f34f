"""redis-socket-timeout: channels-redis's ``RedisChannelLayer`` given hosts without
``socket_timeout``, on redis-py >= 8 (its default read timeout is 5 s)."""

import ast

from ..context import constant, kwarg
from ..model import Rule

ENTRY = "redis-socket-timeout"


def lacks_timeout(host) -> bool:
    """A host that is a string (a URL), or a dict literal without a ``socket_timeout`` key."""
    if isinstance(host, ast.Dict):
        return not any(constant(k) == "socket_timeout" for k in host.keys)
    if isinstance(host, (ast.Tuple, ast.List)):
        return True  # (host, port)
    return isinstance(host, (ast.Constant, ast.JoinedStr, ast.Name, ast.Subscript, ast.Call)) \
        and not (isinstance(host, ast.Constant) and not isinstance(host.value, str))


def hosts_without_timeout(ctx, hosts) -> bool:
    if isinstance(hosts, ast.Name):
        values = [v for _, v in ctx.values_of(hosts)]
        return bool(values) and all(hosts_without_timeout(ctx, v) for v in values)
    if not isinstance(hosts, (ast.List, ast.Tuple)):
        return False
    for host in hosts.elts:
        values = [v for _, v in ctx.values_of(host)] if isinstance(host, ast.Name) else [host]
        if isinstance(host, ast.Name) and any(isinstance(v, ast.Dict) for v in values):
            if any(lacks_timeout(v) for v in values if isinstance(v, ast.Dict)):
                return True
        elif lacks_timeout(host):
            return True
    return False


def layer_settings(ctx):
    """``{"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [...]}}``."""
    for node in ctx.nodes:
        if not isinstance(node, ast.Dict):
            continue
        items = {constant(k): v for k, v in zip(node.keys, node.values, strict=False) if k is not None}
        backend = constant(items.get("BACKEND"))
        if not (isinstance(backend, str) and backend.endswith("channels_redis.core.RedisChannelLayer")):
            continue
        config = items.get("CONFIG")
        if isinstance(config, ast.Dict):
            hosts = {constant(k): v for k, v in zip(config.keys, config.values, strict=False) if k is not None}.get("hosts")
            if hosts_without_timeout(ctx, hosts):
                yield hosts
        elif config is None:
            yield node, "no CONFIG: the default host"
    for call in ctx.calls:
        if ctx.qual(call.func).rpartition(".")[2] == "RedisChannelLayer":
            hosts = kwarg(call, "hosts", 0)
            if hosts is None or hosts_without_timeout(ctx, hosts):
                yield call


RULES = [
    Rule(code="KB280", needs=('RedisChannelLayer',), entry=ENTRY, name="redis-layer-without-socket-timeout", check=layer_settings,
         # channels-redis < 4.0 talks to Redis through aioredis, not redis-py (3.4.1 core.py:14)
         versions={"redis": ">=8", "channels-redis": ">=4.0"},
         message="RedisChannelLayer hosts without socket_timeout: on redis-py 8 every connection reads "
                 "with a 5 s timeout, and a receive() idle longer fails (TimeoutError, close 1011)",
         fix="give each host \"socket_timeout\": None: {\"address\": REDIS_URL, \"socket_timeout\": None}",
         fixes={"channels-redis": {"<4.1": "channels-redis 4.0 drops every key of a URL host but address: use "
                                           "{\"host\": ..., \"port\": ..., \"socket_timeout\": None} or upgrade",
                                   ">=4.1": "give each host \"socket_timeout\": None: {\"address\": REDIS_URL, "
                                            "\"socket_timeout\": None}"}},
         flags=('''
CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
}
''',),
         passes=('''
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
    }
}
''', '''
CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                              "CONFIG": {"hosts": [REDIS_URL]}}}
''')),
]
