"""Where Channels breaks a Django ``TestCase``'s connection (nothing patched).

The test walks through four steps, each using the test's connection (the consumer reads with
``database_sync_to_async``, which a ``TestCase`` runs on the test's thread), and prints the
first step that failed, ``BROKE <step> <exception type>: <message>``, or ``BROKE nowhere``,
after ``CHANNELS <version>`` (the version that really ran, overlays included).
It only reports; the notebook compares the line with the running channels version.
"""

import channels
from django.contrib.auth import get_user_model
from django.test import TestCase

from harness.client import communicator
from harness.consumers.profile import profile_router


class CloseProbe(TestCase):
    def setUp(self):
        self.dora = get_user_model().objects.create(username="dora")

    async def test_where_the_connection_breaks(self):
        User = get_user_model()
        comm = communicator(f"/ws/profile/{self.dora.pk}/", application=profile_router())
        steps = [
            ("consumer_connect", lambda: comm.connect(timeout=5)),
            ("test_query_after_connect", User.objects.acount),
            ("consumer_disconnect", lambda: comm.disconnect(timeout=5)),
            ("test_query_after_disconnect", User.objects.acount),
        ]
        broke = "nowhere"
        for step, call in steps:
            try:
                await call()
            except Exception as exc:  # noqa: BLE001 - reported, not handled
                broke = f"{step} {type(exc).__module__}.{type(exc).__name__}: {exc}"
                break
        print(f"CHANNELS {channels.__version__}")
        print(f"BROKE {broke}")
