"""Why was a WebSocket refused? Channels' origin check denies without saying so.

``OriginValidator`` (and ``AllowedHostsOriginValidator``, which builds one from
``settings.ALLOWED_HOSTS``) hands a refused handshake to ``WebsocketDenier``, which closes
before ``accept`` without a code and logs nothing (channels 4.3.2; django/channels#2062 asks
for a log line). ``WebsocketCommunicator.connect()`` then reports ``(False, 1000)`` and Daphne
answers HTTP 403 - exactly what any consumer that calls ``close()`` in ``connect()`` produces
too. These helpers put the reason into words:

- ``explain_origin(headers)``: the validator's verdict on a handshake's Origin, as one line
  (``None`` when it is allowed).
- ``explain_refusal(application, path, headers)``: connect with a communicator and say whether
  the origin validator or the application behind it refused, and why.
- ``LoggingOriginValidator`` / ``AllowedHostsLoggingOriginValidator``: drop-in replacements for
  Channels' validators that log one WARNING per refusal on the ``harness.origin`` logger.

The verdict is always Channels' own (``OriginValidator.valid_origin``); only the words are ours.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlparse

from channels.security.websocket import OriginValidator
from channels.testing import WebsocketCommunicator
from django.conf import settings

logger = logging.getLogger("harness.origin")

# What OriginValidator calls a missing Origin: refused unless "*" is allowed.
MISSING = (
    "no Origin header; Channels' OriginValidator refuses a missing Origin unless '*' is "
    "allowed; send origin={example}"
)


def allowed_hosts() -> list[str]:
    """The list ``AllowedHostsOriginValidator`` checks: ``ALLOWED_HOSTS``, or Django's
    local defaults when ``DEBUG`` is on and ``ALLOWED_HOSTS`` is empty."""
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = ["localhost", "127.0.0.1", "[::1]"]
    return hosts


def origin_header(headers) -> tuple[bytes | None, list]:
    """``(value, near_misses)``: the Origin as Channels reads it, and headers it ignored.

    ``headers`` is an ASGI scope (its ``"headers"``), a list of ASGI header pairs, or a mapping
    of HTTP header names to values (what a real client sends; names are case-insensitive).
    ASGI pairs are read like ``OriginValidator.__call__`` reads them: only a name that is
    exactly ``b"origin"`` counts, and the last one wins. ``near_misses`` lists pairs that look
    like an Origin header but are not (``b"Origin"``, ``("origin", "...")`` as ``str``).
    """
    if headers is None:
        return None, []
    if isinstance(headers, Mapping) and "type" in headers:  # an ASGI scope
        headers = headers.get("headers", [])
    if isinstance(headers, Mapping):  # HTTP headers: a real server lower-cases the names
        headers = [(str(k).lower().encode("latin1"), str(v).encode("latin1"))
                   for k, v in headers.items()]
    value, near_misses = None, []
    for name, raw in headers:
        if name == b"origin":
            value = raw
        elif (name.decode("latin1") if isinstance(name, bytes) else str(name)).lower() == "origin":
            near_misses.append((name, raw))
    return value, near_misses


def _example_origin(allowed: list[str]) -> str:
    """An Origin the list accepts, preferring http://localhost, for the advice in a reason."""
    hosts = [h for h in allowed if h != "*"]
    for host in hosts:
        if host.lstrip(".") == "localhost":
            return "http://localhost"
    for host in hosts:
        return host if "://" in host else f"http://{host.lstrip('.')}"
    return "http://localhost (and add 'localhost' to ALLOWED_HOSTS)"


def _reason(validator: OriginValidator, headers) -> str | None:
    raw, near_misses = origin_header(headers)
    shown = raw.decode("latin1") if isinstance(raw, bytes) else raw
    parsed = None if shown is None else urlparse(shown)
    if validator.valid_origin(parsed):
        return None
    allowed = list(validator.allowed_origins)
    example = _example_origin(allowed)
    if parsed is None:
        reason = MISSING.format(example=example)
        if near_misses:
            names = ", ".join(repr(name) for name, _ in near_misses)
            reason += (f" (an Origin was given as {names}: ASGI header names are lower-case"
                       " bytes, b'origin')")
        return reason
    if parsed.hostname is None:
        return (f"Origin {shown!r} has no host name (an Origin is scheme://host[:port]), so no "
                f"entry of {allowed!r} can match it; send origin={example}")
    return (f"Origin {shown!r} (host {parsed.hostname!r}) matches none of {allowed!r}; "
            f"send origin={example}, or allow that host")


def explain_origin(headers, allowed: list[str] | None = None) -> str | None:
    """One line saying why ``OriginValidator(app, allowed)`` refuses these headers, or ``None``
    when it lets them through. ``allowed`` defaults to ``allowed_hosts()`` (what
    ``AllowedHostsOriginValidator`` uses); see ``origin_header`` for the forms ``headers`` takes.
    """
    return _reason(OriginValidator(None, allowed_hosts() if allowed is None else allowed), headers)


def origin_validators(application) -> list[OriginValidator]:
    """The ``OriginValidator`` layers of a stack, outermost first.

    Follows ``.application`` (Channels' validators) and ``.inner`` (``BaseMiddleware``) down to
    the router; a stack hidden behind other wrappers is not looked into.
    """
    found, layer, seen = [], application, set()
    while layer is not None and id(layer) not in seen:
        seen.add(id(layer))
        if isinstance(layer, OriginValidator):
            found.append(layer)
        layer = getattr(layer, "application", None) or getattr(layer, "inner", None)
    return found


@dataclass(frozen=True)
class Diagnosis:
    """What ``explain_refusal`` found. ``refused_by`` is "origin validator", "application" or
    ``None`` (accepted); ``result`` is what ``WebsocketCommunicator.connect()`` returned."""

    result: tuple
    refused_by: str | None
    reason: str

    @property
    def accepted(self) -> bool:
        return bool(self.result[0])

    def __str__(self) -> str:
        return self.reason


async def explain_refusal(application, path: str, headers=None, *, timeout: float = 5.0):
    """Connect ``application`` at ``path`` with ``headers`` (ASGI pairs) and explain the result.

    A refusal is put on the first ``OriginValidator`` of the stack that refuses these headers;
    if none does, it came from behind the validators (middleware or a consumer that closed in
    ``connect()``), which a bare ``(False, 1000)`` cannot tell apart. The connection is
    disconnected afterwards. Exceptions the application raises, and ``TimeoutError``, propagate.
    """
    communicator = WebsocketCommunicator(application, path, headers=list(headers or []))
    result = await communicator.connect(timeout)
    await communicator.disconnect(timeout=timeout)
    if result[0]:
        return Diagnosis(result, None, "accepted")
    for validator in origin_validators(application):
        reason = _reason(validator, communicator.scope)
        if reason:
            return Diagnosis(result, "origin validator", f"refused by the origin validator: {reason}")
    code = result[1]
    how = "without a close code (reported as 1000)" if code == 1000 else f"with code {code}"
    return Diagnosis(
        result,
        "application",
        f"the Origin passed; the application behind the validator closed before accept {how}:"
        " look at the middleware and the consumer's connect()",
    )


class LoggingOriginValidator(OriginValidator):
    """Channels' ``OriginValidator`` that also logs each refusal, with its reason, as a WARNING
    on the ``harness.origin`` logger. Decides exactly as its parent; adds nothing to the scope.
    """

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "websocket":
            reason = _reason(self, scope)
            if reason:
                logger.warning("WebSocket %s refused: %s", scope.get("path", "?"), reason)
        return await super().__call__(scope, receive, send)


def AllowedHostsLoggingOriginValidator(application):
    """``AllowedHostsOriginValidator`` that logs why it refuses (a drop-in replacement)."""
    return LoggingOriginValidator(application, allowed_hosts())
