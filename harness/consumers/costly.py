import threading
import time

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from ..load import cpu_work
from . import connect_calls

#: when each connect's work started in its worker thread (``time.monotonic``), and the thread
#: CPU time of each when it ended (also the work of a connect whose communicator timed out:
#: asgiref cancels the application, not the thread)
started: list[float] = []
finished: list[float] = []
#: set when a connect's work starts (clear it before the connect you wait for)
work_started = threading.Event()


def password_check(rounds: int) -> None:
    started.append(time.monotonic())
    work_started.set()
    start = time.thread_time()
    cpu_work(rounds)
    finished.append(time.thread_time() - start)


class CostlyConnectConsumer(AsyncWebsocketConsumer):
    """Accepts after ``rounds`` PBKDF2 rounds run in a worker thread (a password or token
    check, as ``sync_to_async(check_password)`` does), then echoes text frames.

    Its ``connect()`` costs CPU, not waiting: on a loaded machine it takes longer by as much as
    the CPU is shared. Subclass with another ``rounds`` (``harness.load.rounds_for``).
    """

    rounds = 100_000

    async def connect(self):
        connect_calls["costly"] += 1
        await sync_to_async(password_check)(self.rounds)
        await self.accept()

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=text_data)
