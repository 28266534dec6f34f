"""Guard for close-codes: the harness's consumers close with codes Daphne can send.

Daphne hands a consumer's close code to autobahn, which refuses any code whose type is not
exactly ``int`` and any code other than 1000 or 3000-4999; the consumer then dies and the client
sees 1011. The harness's ``CloseCode`` is an ``IntEnum``, so this fails if
``harness.compat.close_arguments`` stops turning it into an ``int``, if a new member leaves
autobahn's range, if the match room's closes stop reaching a real client as 4000 and 4001, or
if the write-up's snippets (an int-sending base consumer, a close check) stop doing so.
See context/close-codes.md.
"""

import pytest


def autobahn_accepts(code) -> bool:
    """What ``autobahn.websocket.protocol.WebSocketProtocol.sendClose`` lets through."""
    return type(code) is int and (code == 1000 or 3000 <= code <= 4999)


def test_every_close_code_leaves_as_an_int_autobahn_accepts(harness_db):
    from harness.compat import close_arguments
    from harness.protocol import CloseCode

    sent = {member.name: close_arguments(member, "reason")["code"] for member in CloseCode}
    assert sent == {member.name: member.value for member in CloseCode}
    assert all(autobahn_accepts(code) for code in sent.values()), sent


@pytest.mark.asyncio
async def test_communicator_sees_exact_int_codes(harness_db):
    from harness import client
    from harness.protocol import CloseCode

    communicator = client.communicator(f"/ws/match/{client.room_code('guard')}/", user="alice")
    assert await communicator.connect(timeout=5) == (True, None)
    await communicator.send_json_to({"type": "leave"})
    message = await communicator.receive_output(timeout=5)
    await communicator.disconnect(timeout=5)
    assert message == {"type": "websocket.close", "code": CloseCode.LEFT}
    assert autobahn_accepts(message["code"]), message


@pytest.mark.asyncio
async def test_real_client_gets_the_codes_over_daphne(daphne):
    from harness import client

    server = daphne()
    room = client.room_code("guard")
    async with await client.connect(server.url, f"/ws/match/{room}/", user="alice", origin=server.origin) as ws:
        await client.send_json(ws, {"type": "leave"})
        left = await client.close_code(ws, timeout=5)
    async with await client.connect(server.url, f"/ws/match/{room}/", origin=server.origin) as ws:
        anonymous = await client.close_code(ws, timeout=5)
    assert (left, anonymous) == (4000, 4001)
    assert "Exception inside application" not in server.log()


@pytest.mark.asyncio
async def test_the_write_ups_snippets_send_and_check_exact_ints(harness_db):
    """The fixes the write-up gives users, loaded from it and run as copied."""
    from enum import IntEnum

    from channels.routing import URLRouter
    from channels.testing import WebsocketCommunicator
    from django.urls import path

    from kb.snippets import load

    checks = load("close-codes", "assert-closed-with")
    base = load("close-codes", "int-close-code").IntCloseCodeConsumer

    class Code(IntEnum):
        LEFT = 4000

    class Leaving(base):
        async def connect(self):
            await self.accept()
            await self.close(code=Code.LEFT)

    communicator = WebsocketCommunicator(URLRouter([path("ws/leave/", Leaving.as_asgi())]), "/ws/leave/")
    assert await communicator.connect(timeout=5) == (True, None)
    message = await communicator.receive_output(timeout=5)
    await communicator.disconnect(timeout=5)
    checks.assert_closed_with(message, 4000)
    assert type(message["code"]) is int
    with pytest.raises(AssertionError, match="is not an int: Daphne would send 1011"):
        checks.assert_closed_with({"type": "websocket.close", "code": Code.LEFT}, 4000)
    with pytest.raises(AssertionError, match="Daphne refuses close code 1012"):
        checks.assert_closed_with({"type": "websocket.close", "code": 1012}, 1012)
