"""A consumer whose ``connect()`` costs about 0.1 s of CPU (a password check in a thread), tested
with the communicator's default timeout of 1 s. Quiet, it connects with ten times the margin.
Here the CPU is shared the way a loaded CI runner shares it, but deterministically: the test
process and enough busy processes to make the 0.1 s last about 3 s are pinned to one CPU
(``harness.load.contended_cpu``), so ``connect()`` times out on every run."""

import pytest

WORK_S = 0.1  # the consumer's CPU work, calibrated on this machine
WALL_S = 4.0  # how long the busy processes make it last


@pytest.fixture
def rounds(memory_layer):
    """The CPU work's size, measured before the CPU is shared (imports done before, too)."""
    import channels.testing  # noqa: F401

    import harness.consumers.costly  # noqa: F401
    from harness.load import rounds_for

    return rounds_for(WORK_S)


@pytest.fixture
def loaded_cpu(rounds):
    from harness.load import contended_cpu, workers_for

    with contended_cpu(workers_for(WORK_S, WALL_S)):
        yield rounds


@pytest.mark.asyncio
async def test_connect_with_default_timeout(loaded_cpu):
    from channels.testing import WebsocketCommunicator

    from harness.consumers.costly import CostlyConnectConsumer

    class PasswordCheckConsumer(CostlyConnectConsumer):
        rounds = loaded_cpu

    communicator = WebsocketCommunicator(PasswordCheckConsumer.as_asgi(), "/ws/login/")
    connected, _ = await communicator.connect()
    assert connected
    await communicator.disconnect()
