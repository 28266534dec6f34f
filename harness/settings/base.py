"""Settings shared by production and tests. Everything variable comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "harness-insecure-key-not-for-real-deployments")
DEBUG = False
USE_TZ = True
ROOT_URLCONF = "harness.urls"
ASGI_APPLICATION = "harness.asgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "channels",
]


def databases(kind: str | None = None, url: str | None = None) -> dict:
    """``DATABASES`` for ``kind`` "sqlite" (default) or "postgres" (needs a PostgreSQL URL).

    SQLite: tests and notebooks point HARNESS_DB_PATH at a migrated temp file, which a Daphne
    subprocess shares (an in-memory SQLite database is per connection, so per thread).
    PostgreSQL: ``url`` or DATABASE_URL, ``postgresql://user:password@host:port/name``; a
    ``?host=/folder`` parameter names a Unix socket folder (what ``harness.servers`` starts).
    """
    kind = kind or os.environ.get("HARNESS_DATABASE", "sqlite")
    if kind == "sqlite":
        name = os.environ.get("HARNESS_DB_PATH", "harness.sqlite3")
        return {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": name}}
    if kind == "postgres":
        url = url or os.environ.get("DATABASE_URL")
        if not url:
            raise ImproperlyConfigured("HARNESS_DATABASE=postgres needs DATABASE_URL")
        return {"default": postgres_settings(url)}
    raise ImproperlyConfigured(f"HARNESS_DATABASE must be 'sqlite' or 'postgres', not {kind!r}")


def postgres_settings(url: str) -> dict:
    """One ``DATABASES`` entry (Django's psycopg 3 backend) from a ``postgresql://`` URL."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgresql:// URL, not {url!r}")
    query = parse_qs(parts.query)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": query.get("host", [unquote(parts.hostname or "")])[0],
        "PORT": str(parts.port or ""),
    }


DATABASES = databases()


def channel_layers(kind: str | None = None, redis_url: str | None = None) -> dict:
    """``CHANNEL_LAYERS`` for ``kind`` "memory" (default) or "redis" (needs a Redis URL)."""
    kind = kind or os.environ.get("HARNESS_CHANNEL_LAYER", "memory")
    if kind == "memory":
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    if kind == "redis":
        url = redis_url or os.environ.get("REDIS_URL")
        if not url:
            raise ImproperlyConfigured("HARNESS_CHANNEL_LAYER=redis needs REDIS_URL")
        # socket_timeout=None: redis-py 8 defaults it to 5 s, the same as channels-redis's
        # BZPOPMIN timeout (brpop_timeout = 5), so an idle receive() raised
        # redis.exceptions.TimeoutError (django/channels_redis#422, redis/redis-py#4091).
        host = {"address": url, "socket_timeout": None}
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [host], "prefix": os.environ.get("HARNESS_REDIS_PREFIX", "asgi")},
            }
        }
    raise ImproperlyConfigured(f"HARNESS_CHANNEL_LAYER must be 'memory' or 'redis', not {kind!r}")


CHANNEL_LAYERS = channel_layers()

# The price stream reads from Redis pub/sub (a real Redis, whatever the channel layer is).
PRICE_REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

# JWT: HS256 only, "exp" required, "user_id" claim looked up in the database.
JWT_SECRET = os.environ.get("HARNESS_JWT_SECRET", "harness-jwt-secret-at-least-32-bytes-long")
JWT_ALGORITHM = "HS256"

# Which websocket stack harness.asgi serves: only "production" here (see test.py).
WEBSOCKET_STACK = "production"
TESTING = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"harness": {"handlers": ["stderr"], "level": "WARNING"}},
}
