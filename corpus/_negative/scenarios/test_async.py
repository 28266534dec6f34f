"""Async failures whose cause is the code under test, not the loop or the test set-up."""

import asyncio

import pytest


@pytest.mark.asyncio
async def test_wait_for_times_out():
    await asyncio.wait_for(asyncio.Event().wait(), timeout=0.05)


@pytest.mark.asyncio
async def test_cancelled_by_the_code_itself():
    task = asyncio.ensure_future(asyncio.Event().wait())
    task.cancel()
    await task


@pytest.mark.asyncio
async def test_nothing_listens_on_the_port():
    await asyncio.wait_for(asyncio.open_connection("127.0.0.1", 9), timeout=5)


@pytest.mark.asyncio
async def test_gather_reports_the_first_error():
    async def fails():
        raise ValueError("price must be positive")

    await asyncio.wait_for(asyncio.gather(fails(), asyncio.sleep(0)), timeout=5)


@pytest.mark.asyncio
async def test_queue_empty():
    asyncio.Queue().get_nowait()
