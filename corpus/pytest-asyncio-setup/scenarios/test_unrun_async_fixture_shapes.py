# kb-corpus: pytest < 9
"""Strict mode, async fixtures declared with @pytest.fixture, failing on something other than an
attribute: pytest < 9 runs the test with the unrun async generator, and the one constant in the
report is the argument line pytest prints for the failing frame (long and auto forms):
`client = <async_generator object client at 0x...>, cfg = 1` (two arguments on one line),
`conn = <async_generator object TestShapes.conn at 0x...>` (a method's fixture), and an assert
that shows the generator. pytest 9 errors at set-up instead ("no plugin or hook that handled it":
9.0 through its default warning filter, which a filterwarnings ignore undoes; 9.1 always).
"""

import pytest


@pytest.fixture  # should be @pytest_asyncio.fixture in strict mode
async def client():
    yield "client"


@pytest.fixture
def cfg():  # short: pytest joins arguments on one line while they fit the terminal width
    return 1


@pytest.mark.asyncio
async def test_two_args(client, cfg):
    await client


@pytest.mark.asyncio
async def test_compared(client):
    assert not client


class TestShapes:
    @pytest.fixture  # the same mistake on a method fixture
    async def conn(self):
        yield "conn"

    @pytest.mark.asyncio
    async def test_method(self, conn):
        async with conn:
            pass
