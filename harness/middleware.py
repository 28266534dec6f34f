"""JWT authentication for WebSocket scopes."""

from urllib.parse import parse_qs

import jwt
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser


def token_from_scope(scope) -> str | None:
    """The ``token`` query parameter (browsers cannot set headers on a WebSocket)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    values = query.get("token")
    return values[0] if values else None


async def authenticate(token: str | None):
    """``(user, error)``: the active user the token names, or ``AnonymousUser`` and why not.

    ``error`` is one of ``None``, ``"missing_token"``, ``"expired"``, ``"invalid_token"``
    (bad signature, ``alg: none``, malformed, no ``user_id``) or ``"unknown_user"``.
    """
    if not token:
        return AnonymousUser(), "missing_token"
    try:
        claims = jwt.decode(
            token,
            settings.JWT_SECRET,
            algorithms=[settings.JWT_ALGORITHM],
            options={"require": ["exp", "user_id"]},
        )
        user_id = int(claims["user_id"])  # claims carry strings; the key is an int
    except jwt.ExpiredSignatureError:
        return AnonymousUser(), "expired"
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return AnonymousUser(), "invalid_token"
    user = await get_user_model().objects.filter(pk=user_id, is_active=True).afirst()
    if user is None:
        return AnonymousUser(), "unknown_user"
    return user, None


class JWTAuthMiddleware(BaseMiddleware):
    """Adds ``scope["user"]`` (a user or ``AnonymousUser``) and ``scope["auth_error"]``.

    Never closes the connection: each consumer decides whether it needs a user. Needs database
    access; wrap it around the URLRouter and inside the origin validator. Keeps no state on the
    instance (one instance serves every connection).
    """

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        scope["user"], scope["auth_error"] = await authenticate(token_from_scope(scope))
        return await super().__call__(scope, receive, send)
