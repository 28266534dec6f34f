"""Settings for tests and notebooks: production plus what a test run needs.

``ALLOWED_HOSTS`` adds ``testserver`` (Django's test client host, which ``WebsocketCommunicator``
does NOT send as an Origin). ``HARNESS_STACK`` may pick the incident's unvalidated stack for a
Daphne subprocess; production settings cannot.
"""

import os

from .production import *  # noqa: F403

TESTING = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WEBSOCKET_STACK = os.environ.get("HARNESS_STACK", "production")
