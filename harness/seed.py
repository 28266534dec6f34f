"""The users every notebook and test can rely on, and tokens for them."""

from django.contrib.auth import get_user_model

from .tokens import issue_token

# username -> fields. Fixed primary keys, so tokens can be written down in advance.
USERS = {
    "alice": {"id": 1, "is_staff": False},
    "bob": {"id": 2, "is_staff": False},
    "carol": {"id": 3, "is_staff": False},
    "admin": {"id": 4, "is_staff": True},
}


def seed_users() -> None:
    """Create (or restore) the seed users. Synchronous ORM: call it outside an event loop."""
    User = get_user_model()
    for username, fields in USERS.items():
        User.objects.update_or_create(
            pk=fields["id"],
            defaults={"username": username, "is_staff": fields["is_staff"], "is_active": True},
        )
    _reset_sequences(User)


def _reset_sequences(model) -> None:
    """Rows inserted with explicit keys do not advance PostgreSQL's id sequence: move it past
    them, or the next ``create()`` collides with pk 1. (SQLite needs nothing: no SQL.)"""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def token_for(username: str, **kwargs) -> str:
    """A valid token for a seed user; ``kwargs`` go to ``issue_token`` (e.g. ``ttl=-1``)."""
    return issue_token(USERS[username]["id"], **kwargs)
