"""``harness.compat``: each shim does what the newer API does (the matrix runs the old ones)."""

import asyncio
from types import SimpleNamespace

import pytest

from harness import compat


def test_close_arguments_pass_reason_only_where_close_takes_it():
    arguments = compat.close_arguments(4000, "bye")
    assert arguments["code"] == 4000 and type(arguments["code"]) is int
    assert ("reason" in arguments) is compat.CLOSE_TAKES_REASON


@pytest.mark.asyncio
async def test_aclose_prefers_aclose_and_falls_back_to_close():
    calls = []

    async def record(name):
        calls.append(name)

    async def closing():
        await record("close")

    async def aclosing():
        await record("aclose")

    await compat.aclose(SimpleNamespace(close=closing))  # redis-py < 5.0.1's Redis
    await compat.aclose(SimpleNamespace(close=closing, aclose=aclosing))
    assert calls == ["close", "aclose"]


@pytest.mark.asyncio
async def test_aclose_on_an_autospecd_pubsub_awaits_aclose_or_before_5_0_1_reset():
    from unittest import mock

    from redis.asyncio.client import PubSub

    pubsub = mock.create_autospec(PubSub, instance=True)
    await compat.aclose(pubsub)
    if hasattr(PubSub, "aclose"):
        pubsub.aclose.assert_awaited_once_with()
    else:  # redis-py < 5.0.1 (the oldest set)
        pubsub.reset.assert_awaited_once_with()


@pytest.mark.asyncio
async def test_the_fallback_barrier_releases_a_round_of_parties_then_resets():
    barrier = compat._Barrier(2)
    first = asyncio.create_task(barrier.wait())
    await asyncio.sleep(0)
    assert not first.done()
    await asyncio.wait_for(barrier.wait(), 5)
    await asyncio.wait_for(first, 5)
    second = asyncio.create_task(barrier.wait())  # a new round waits again
    await asyncio.sleep(0)
    assert not second.done()
    await asyncio.wait_for(barrier.wait(), 5)
    await asyncio.wait_for(second, 5)


def test_handshake_refused_is_what_the_client_raises():
    import websockets.exceptions as errors

    assert compat.HandshakeRefused is (errors.InvalidStatusCode if compat.LEGACY_CLIENT
                                       else errors.InvalidStatus)


# Appended by the ver-b helper: compat.timeout and compat.loop_scope_ini.
@pytest.mark.asyncio
async def test_timeout_runs_the_body_in_this_task_and_raises_wait_timeout_on_expiry():
    outer = asyncio.current_task()
    with pytest.raises(compat.WaitTimeout):
        async with compat.timeout(0.05):
            assert asyncio.current_task() is outer  # no task of its own, unlike wait_for
            await asyncio.Event().wait()  # never set: only the deadline ends it


def test_loop_scope_ini_names_the_options_the_installed_pytest_asyncio_has():
    from importlib.metadata import version

    from packaging.version import Version

    installed = Version(version("pytest-asyncio"))
    lines = compat.loop_scope_ini().splitlines()
    assert ("asyncio_default_fixture_loop_scope = function" in lines) == (installed >= Version("0.24"))
    assert ("asyncio_default_test_loop_scope = function" in lines) == (installed >= Version("0.26"))
