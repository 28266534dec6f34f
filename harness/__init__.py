"""A small but real Django Channels project that the knowledge base's notebooks break and fix.

Layout (shaped like Channels' own ``tests/sample_project``):

- ``settings/``: ``production`` and ``test`` settings modules.
- ``asgi.py``: the ASGI application Daphne serves; ``stacks.py`` builds it.
- ``middleware.py``: JWT auth; ``consumers/``: echo, match room, price stream.
- ``protocol.py``: every close code and message type, documented in one place.
- ``servers.py``: real Redis and Daphne processes; ``fixtures.py``: the pytest fixtures.
- ``client.py``: ``websockets`` and communicator helpers (origin, token, ``recv_until``,
  ``eventually``); ``diagnose.py``: why a connection was refused.
- ``layers.py``: switch the channel layer at run time; ``bootstrap.py``: settings, database, seeds.
- ``notebook.py``: imported by the first code cell of every notebook (``check_claims``,
  ``run_pytest``, ``run_guard``).
"""
