"""Settings for tests and notebooks: production plus what a test run needs.

``ALLOWED_HOSTS`` adds ``testserver`` (Django's test client host, which ``WebsocketCommunicator``
does NOT send as an Origin). ``HARNESS_STACK`` may pick the incident's unvalidated stack for a
Daphne subprocess; production settings cannot. ``HARNESS_DATABASE=postgres`` without
``DATABASE_URL`` starts a PostgreSQL for the process; production settings refuse it.
"""

import os

if os.environ.get("HARNESS_DATABASE") == "postgres" and not os.environ.get("DATABASE_URL"):
    # Asked for PostgreSQL with no server named: a real one for this process (and, through the
    # exported DATABASE_URL, the servers and sessions it starts), stopped when it exits.
    from harness.databases import process_database

    os.environ["DATABASE_URL"] = process_database()

from .production import *  # noqa: E402, F403

TESTING = True
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
WEBSOCKET_STACK = os.environ.get("HARNESS_STACK", "production")
