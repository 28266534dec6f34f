"""A small but real Django Channels project that the knowledge base's notebooks break and fix.

Layout (shaped like Channels' own ``tests/sample_project``):

- ``settings/``: ``production`` and ``test`` settings modules.
- ``asgi.py``: the ASGI application Daphne serves; ``stacks.py`` builds it.
- ``middleware.py``: JWT auth; ``consumers/``: echo, match room, price stream.
- ``protocol.py``: every close code and message type, documented in one place.
- ``servers/``: real Redis, PostgreSQL and Daphne processes (``process.py`` starts and stops
  them, one module per server); ``fixtures.py``: the pytest fixtures.
- ``client.py``: ``websockets`` and communicator helpers (origin, token, ``recv_until``,
  ``eventually``); ``diagnose.py``: why a connection was refused.
- ``layers.py``: switch the channel layer at run time; ``bootstrap.py``: settings, database, seeds
  (``orm.py``: ORM code in a worker thread, migrate and seed; ``databases.py``: PostgreSQL).
- ``notebook.py``: a notebook kernel's set-up (``use_layer``, ``use_database``, ``run_pytest``);
  notebooks import it through ``kb.notebook``, which adds ``run_guard`` and ``check_claims``.

This package imports nothing from ``kb`` or ``bench`` (tests/test_layers.py).
"""
