"""Synchronous Django set-up from anywhere: a worker thread for ORM code, migrate and seed.

A Jupyter kernel and an async test run an event loop in their thread, where Django refuses
synchronous ORM calls; ``in_thread`` runs them in a fresh thread instead.
"""

import threading


def in_thread(fn) -> None:
    """Run ``fn`` in a fresh thread: synchronous ORM code must not run inside a running event
    loop (a Jupyter kernel has one), and a thread has none. Re-raises what ``fn`` raised."""
    errors: list[BaseException] = []

    def target():
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            errors.append(exc)
        finally:
            from django.db import connections

            connections.close_all()

    thread = threading.Thread(target=target, name="harness-bootstrap")
    thread.start()
    thread.join(timeout=120)
    if thread.is_alive():
        raise TimeoutError("database set-up took more than 120 s")
    if errors:
        raise errors[0]


def migrate_and_seed() -> None:
    """Migrate the default database and seed the users, in a worker thread (idempotent)."""

    def run():
        from django.core.management import call_command

        from .seed import seed_users

        call_command("migrate", verbosity=0, interactive=False)
        seed_users()

    in_thread(run)
