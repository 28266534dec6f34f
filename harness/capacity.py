"""Make a channel layer's dropped messages visible in tests (see context/channel-full.md).

Both layers hold at most ``capacity`` messages per channel (100 by default). A direct ``send``
to a full channel raises ``ChannelFull``, but ``group_send`` drops the message for a full
member: ``InMemoryChannelLayer`` says nothing, channels-redis logs one INFO line on
``channels_redis.core`` that the default logging configuration never shows. Two tools turn a
drop into a test failure:

- ``StrictInMemoryChannelLayer``: an in-memory layer whose ``group_send`` raises
  ``ChannelFull`` (naming the member's channel) instead of dropping. A test settings'
  ``BACKEND``; never for production, where one slow member must not fail the others.
- ``redis_drops()``: a context manager that records channels-redis's "over capacity" lines
  (enabling INFO on that one logger for the block) so a test can assert there were none.
"""

import contextlib
import logging
from collections.abc import Iterator

from channels.layers import InMemoryChannelLayer

#: the logger channels-redis reports group drops on, and the words its message carries
#: (``"%s of %s channels over capacity in group %s"``, channels-redis 4.0-4.3)
REDIS_LOGGER = "channels_redis.core"
DROP_WORDS = "channels over capacity in group"


class StrictInMemoryChannelLayer(InMemoryChannelLayer):
    """``InMemoryChannelLayer`` whose ``group_send`` fails where the original drops.

    The parent's expiry clean-up, then one ``send`` per member: a member whose channel is full
    raises ``channels.exceptions.ChannelFull: <channel>`` in the sender. Members are sent to in
    turn, not concurrently, so the ones before the full one got the message. (No group name
    check of its own: ``group_add`` checked it, and an unknown group has no members.)
    """

    async def group_send(self, group, message):
        assert isinstance(message, dict), "Message is not a dict"
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            await self.send(channel, message)


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if DROP_WORDS in message:
            self.lines.append(message)


@contextlib.contextmanager
def redis_drops() -> Iterator[list[str]]:
    """Yield a list that fills with channels-redis's drop messages logged inside the block.

    Sets ``channels_redis.core`` to INFO for the block (and restores its level), so it works
    whatever the logging configuration; pytest's ``caplog.set_level(logging.INFO,
    logger="channels_redis.core")`` does the same inside a test.
    """
    logger = logging.getLogger(REDIS_LOGGER)
    handler, level = _Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
