"""The wire protocol of the harness consumers: every close code and message type, in one place.

Close codes (RFC 6455 leaves 4000-4999 to applications):

==== ===================== ==================================================================
code name                  when
==== ===================== ==================================================================
1000 (no code sent)        Channels' ``WebsocketDenier`` closes before ``accept``; the test
                           communicator reports the missing code as 1000, a real server
                           answers the handshake with HTTP 403 instead.
4000 LEFT                  the client sent ``{"type": "leave"}``; a graceful, deliberate close.
4001 UNAUTHENTICATED       the route needs a user and the scope holds ``AnonymousUser``.
4008 HEARTBEAT_TIMEOUT     no message from the client for ``HEARTBEAT_TIMEOUT`` seconds.
4009 PAYLOAD_TOO_LARGE     a frame larger than ``MAX_PAYLOAD_BYTES`` (16 KB).
==== ===================== ==================================================================

Error messages keep the connection open: ``{"type": "error", "code": <one of ERROR_CODES>,
"detail": "..."}``.
"""

from enum import IntEnum


class CloseCode(IntEnum):
    DENIED = 1000  # what WebsocketCommunicator reports when the app closed without a code
    LEFT = 4000
    UNAUTHENTICATED = 4001
    HEARTBEAT_TIMEOUT = 4008
    PAYLOAD_TOO_LARGE = 4009


MAX_PAYLOAD_BYTES = 16 * 1024

# Errors answered with a message; the connection stays usable.
ERROR_CODES = {
    "invalid_json": "the text frame is not valid JSON",
    "not_an_object": "the JSON value is not an object",
    "missing_type": "the JSON object has no string 'type'",
    "unknown_type": "the 'type' is not one this route understands",
    "binary_frame": "binary frames are not accepted; send JSON text",
    "bad_field": "a field is missing or has the wrong type",
    "rate_limited": "too many messages; sent once per window, further ones are dropped",
    "forbidden": "the user's role does not allow this action",
    "not_joined": "join the room first",
    "room_full": "the room already has two players",
}

# Messages a client may send to the match room.
CLIENT_TYPES = ("join", "ready", "move", "say", "reset", "pong", "leave")
# Messages the match room sends.
SERVER_TYPES = ("joined", "status", "state", "said", "ping", "error")
# Room statuses, in the order a match goes through them.
STATUSES = ("waiting_for_opponent", "waiting_for_ready", "playing")


def error(code: str, detail: str = "") -> dict:
    """Build an error message; ``code`` must be one of ``ERROR_CODES``."""
    if code not in ERROR_CODES:
        raise ValueError(f"undocumented error code {code!r}")
    return {"type": "error", "code": code, "detail": detail or ERROR_CODES[code]}
