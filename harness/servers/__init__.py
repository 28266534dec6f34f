"""Real servers as subprocesses: ``redis_server()``, ``postgres_server()`` and ``daphne_server()``.

All three are context managers that always stop what they started (``process``: process
groups, ``PR_SET_PDEATHSIG``, ``atexit``); each server has its own module. Nothing sleeps to
synchronise: readiness is a line Daphne or PostgreSQL logs, or a Redis ``PING`` that answers.
This package's names are what tests and notebooks import (``from harness.servers import ...``).
"""

from .daphne import DaphneServer, daphne_env, daphne_server
from .postgres import postgres_bindir, postgres_server, postgres_url
from .process import MACHINE_VARIABLES, REPO, ServerError, child_env, stop
from .redis import redis_binary, redis_server

__all__ = ["MACHINE_VARIABLES", "REPO", "DaphneServer", "ServerError", "child_env", "daphne_env",
           "daphne_server", "postgres_bindir", "postgres_server", "postgres_url", "redis_binary",
           "redis_server", "stop"]
