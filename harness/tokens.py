"""Issue JWTs the way the harness's clients get them (HS256, ``exp``, ``user_id`` as a string)."""

import time

import jwt
from django.conf import settings


def issue_token(
    user_id: int | str,
    *,
    ttl: float = 300.0,
    now: float | None = None,
    secret: str | None = None,
    algorithm: str | None = None,
    **claims,
) -> str:
    """A signed token for ``user_id``. ``ttl`` may be negative (an expired token).

    ``user_id`` is written as a string, as many issuers do (JWT claims are often strings); the
    middleware converts it back to the database's int key at the boundary.
    """
    issued = time.time() if now is None else now
    payload = {"user_id": str(user_id), "iat": int(issued), "exp": int(issued + ttl), **claims}
    return jwt.encode(
        payload, secret or settings.JWT_SECRET, algorithm=algorithm or settings.JWT_ALGORITHM
    )


def unsigned_token(user_id: int | str, *, ttl: float = 300.0) -> str:
    """An ``alg: none`` token: what an attacker sends hoping the server skips verification."""
    now = time.time()
    payload = {"user_id": str(user_id), "exp": int(now + ttl)}
    return jwt.encode(payload, key=None, algorithm="none")
