# kb-corpus: redis >= 8
"""A real Daphne whose Redis channel layer has the plain-URL ``hosts`` (redis-py 8: 5 s read
timeout). A client connects and stays quiet; about 5 s later the consumer's own receive() on
the layer times out, Daphne logs the application's exception and closes the socket with 1011.
The client reconnects, as browsers' reconnect logic does, and the same happens again. Prints the
close codes, the seconds each took and Daphne's log; exits 1 when that happened both times."""

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from harness.bootstrap import bootstrap

bootstrap("harness.settings.test")

from harness import client  # noqa: E402 - needs Django set up
from harness.servers import REPO, daphne_server  # noqa: E402

#: Daphne's line for each timed-out application (the traceback's last line says "Timeout reading
#: from" too, so that alone cannot count the two)
LOGGED = "Exception inside application: Timeout reading from"

SETTINGS = """
from harness.settings.test import *  # noqa: F403

CHANNEL_LAYERS = {
    "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}
}
"""


async def quiet_client(server) -> tuple[int | None, float]:
    ws = await client.connect(server.url, "/ws/echo/", origin=server.origin)
    started = time.monotonic()
    code = await client.close_code(ws, timeout=15)
    return code, time.monotonic() - started


with tempfile.TemporaryDirectory(prefix="plain-url-settings-") as folder:
    url = os.environ["REDIS_URL"]
    Path(folder, "plain_url_settings.py").write_text(f"REDIS_URL = {url!r}\n" + SETTINGS)
    env = {"PYTHONPATH": os.pathsep.join([folder, str(REPO)])}
    with daphne_server("plain_url_settings", channel_layer="redis", redis_url=url, env=env) as server:
        closes = [asyncio.run(quiet_client(server)) for _ in range(2)]
        try:  # Daphne may log the application's exception after the close reached the client
            asyncio.run(client.eventually(lambda: server.log().count(LOGGED) >= 2, timeout=10))
        except TimeoutError:
            pass  # judged below
        log = server.log()

for code, seconds in closes:
    print(f"closed with {code} after {seconds:.1f} s of silence")
print(log)
reproduced = [code for code, _ in closes] == [1011, 1011] and log.count(LOGGED) >= 2
sys.exit(1 if reproduced else 0)
