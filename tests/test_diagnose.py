"""harness.diagnose: the reason behind a refused WebSocket, in one line."""

import logging

import pytest
from channels.routing import URLRouter
from channels.security.websocket import OriginValidator
from channels.testing import WebsocketCommunicator
from django.urls import path

from harness.consumers.echo import EchoConsumer
from harness.diagnose import (
    AllowedHostsLoggingOriginValidator,
    LoggingOriginValidator,
    explain_origin,
    explain_refusal,
    origin_header,
    origin_validators,
)

pytestmark = pytest.mark.usefixtures("harness_db")

ALLOWED = ["testserver", "localhost", "127.0.0.1"]  # harness.settings.test
LOCALHOST = [(b"origin", b"http://localhost")]


class ClosesInConnect(EchoConsumer):
    """A consumer that refuses everyone the way the validator does: close() before accept."""

    async def connect(self):
        await self.close()


class ClosesWith4403(EchoConsumer):
    async def connect(self):
        await self.close(code=4403)


@pytest.fixture
def production_stack(harness_db):
    """``harness.stacks.production_stack``; imported once Django is set up (it imports models)."""
    from harness.stacks import production_stack

    return production_stack


@pytest.fixture
def router(harness_db):
    from harness.stacks import websocket_router

    return websocket_router()


def only_echo(consumer):
    return URLRouter([path("ws/echo/", consumer.as_asgi())])


# explain_origin -------------------------------------------------------------------------


def test_when_origin_is_missing_then_the_reason_says_so_and_suggests_an_allowed_origin():
    assert explain_origin([]) == (
        "no Origin header; Channels' OriginValidator refuses a missing Origin unless '*' is "
        "allowed; send origin=http://localhost"
    )


def test_when_origin_is_foreign_then_the_reason_names_it_and_the_allowed_hosts():
    reason = explain_origin([(b"origin", b"http://evil.example")])
    assert reason == (
        "Origin 'http://evil.example' (host 'evil.example') matches none of "
        "['testserver', 'localhost', '127.0.0.1']; send origin=http://localhost, or allow that host"
    )


@pytest.mark.parametrize(
    "origin", [b"http://localhost", b"http://localhost:8123", b"https://127.0.0.1", b"http://testserver"]
)
def test_when_origin_host_is_in_allowed_hosts_then_there_is_nothing_to_explain(origin):
    assert explain_origin([(b"origin", origin)]) is None


@pytest.mark.parametrize(
    "headers, given_as",
    [([(b"Origin", b"http://localhost")], "b'Origin'"), ([("origin", "http://localhost")], "'origin'")],
)
def test_when_origin_header_name_is_not_lowercase_bytes_then_the_reason_points_at_it(headers, given_as):
    reason = explain_origin(headers)
    assert reason.startswith("no Origin header;")
    assert f"an Origin was given as {given_as}: ASGI header names are lower-case bytes" in reason


@pytest.mark.parametrize("origin", [b"null", b"localhost"])
def test_when_origin_has_no_host_name_then_the_reason_says_an_origin_needs_a_scheme(origin):
    reason = explain_origin([(b"origin", origin)])
    assert reason.startswith(f"Origin {origin.decode()!r} has no host name (an Origin is scheme://host")


def test_when_several_origin_headers_are_sent_then_the_last_one_counts_as_in_channels():
    headers = [(b"origin", b"http://localhost"), (b"origin", b"http://evil.example")]
    assert origin_header(headers)[0] == b"http://evil.example"
    assert "'http://evil.example'" in explain_origin(headers)


def test_when_given_a_scope_or_http_headers_then_the_origin_is_read_from_them():
    scope = {"type": "websocket", "path": "/ws/echo/", "headers": LOCALHOST}
    assert explain_origin(scope) is None
    assert explain_origin({"Origin": "http://localhost"}) is None  # HTTP names: any case
    assert explain_origin({"Host": "localhost"}).startswith("no Origin header;")


def test_when_star_is_allowed_then_a_missing_origin_passes_as_channels_decides():
    assert OriginValidator(None, ["*"]).valid_origin(None) is True
    assert explain_origin([], ["*"]) is None


def test_when_allowed_hosts_hold_a_subdomain_pattern_then_the_suggestion_is_a_real_origin():
    assert explain_origin([], [".example.com"]).endswith("send origin=http://example.com")
    assert explain_origin([(b"origin", b"https://api.example.com")], [".example.com"]) is None


# explain_refusal ------------------------------------------------------------------------


def test_origin_validators_are_found_through_the_middleware(production_stack, router):
    stack = production_stack()
    assert origin_validators(stack) == [stack]
    assert origin_validators(router) == []


@pytest.mark.asyncio
async def test_when_the_validator_refuses_then_the_refusal_is_put_on_it(production_stack):
    diagnosis = await explain_refusal(production_stack(), "/ws/echo/")
    assert diagnosis.result == (False, 1000)
    assert diagnosis.refused_by == "origin validator"
    assert str(diagnosis).startswith("refused by the origin validator: no Origin header;")


@pytest.mark.asyncio
async def test_when_a_consumer_closes_in_connect_then_the_same_1000_is_put_on_the_application(
    production_stack,
):
    stack = production_stack(only_echo(ClosesInConnect))
    diagnosis = await explain_refusal(stack, "/ws/echo/", LOCALHOST)
    assert diagnosis.result == (False, 1000)  # indistinguishable from the validator's refusal
    assert diagnosis.refused_by == "application"
    assert diagnosis.reason == (
        "the Origin passed; the application behind the validator closed before accept without "
        "a close code (reported as 1000): look at the middleware and the consumer's connect()"
    )


@pytest.mark.asyncio
async def test_when_a_consumer_closes_with_a_code_in_connect_then_the_code_is_named(
    production_stack,
):
    stack = production_stack(only_echo(ClosesWith4403))
    diagnosis = await explain_refusal(stack, "/ws/echo/", LOCALHOST)
    assert diagnosis.result == (False, 4403)
    assert "closed before accept with code 4403" in diagnosis.reason


@pytest.mark.asyncio
async def test_when_the_connection_is_accepted_then_the_diagnosis_says_accepted(production_stack):
    diagnosis = await explain_refusal(production_stack(), "/ws/echo/", LOCALHOST)
    assert diagnosis.accepted
    assert (diagnosis.refused_by, diagnosis.reason) == (None, "accepted")


# LoggingOriginValidator -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_when_the_logging_validator_refuses_then_it_logs_one_warning_with_the_reason(
    caplog, router
):
    app = AllowedHostsLoggingOriginValidator(router)
    with caplog.at_level(logging.WARNING, logger="harness.origin"):
        refused = WebsocketCommunicator(app, "/ws/echo/")
        assert await refused.connect(5) == (False, 1000)
        await refused.disconnect()
        accepted = WebsocketCommunicator(app, "/ws/echo/", headers=LOCALHOST)
        assert await accepted.connect(5) == (True, None)
        await accepted.disconnect()
    messages = [r.getMessage() for r in caplog.records if r.name == "harness.origin"]
    assert messages == [
        "WebSocket /ws/echo/ refused: no Origin header; Channels' OriginValidator refuses a "
        "missing Origin unless '*' is allowed; send origin=http://localhost"
    ]


def test_the_logging_validator_uses_allowed_hosts_like_channels_factory(router):
    app = AllowedHostsLoggingOriginValidator(router)
    assert isinstance(app, LoggingOriginValidator)
    assert app.allowed_origins == ALLOWED
