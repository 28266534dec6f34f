"""What Daphne serves in production: the full stack, origin validation included."""

import os

from .base import *  # noqa: F403

ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
