"""A broadcast over channels-redis with INFO logging on (a project's LOGGING, Daphne's default).

The test waits for the 101st group message of a burst; channels-redis dropped it and said so
only at INFO. Prints the log and the TimeoutError, and exits 1 when the message never came.
"""

import asyncio
import logging
import os
import sys
import traceback
import uuid

BURST = 101


async def main() -> int:
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[{"address": os.environ["REDIS_URL"], "socket_timeout": None}],
                              prefix=f"channel-full-{uuid.uuid4().hex[:8]}")
    channel = await layer.new_channel()
    await layer.group_add("scores", channel)
    try:
        for number in range(BURST):
            await layer.group_send("scores", {"type": "score", "number": number})
        for number in range(BURST):
            message = await asyncio.wait_for(layer.receive(channel), 2.0)
            assert message["number"] == number
    except asyncio.TimeoutError:
        traceback.print_exc()
        return 1
    finally:
        await layer.flush()
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    sys.exit(asyncio.run(main()))
