"""test_pre_setup_override.py fixed: the per-test set-up in ``setUp``, which every Django calls on
the instance; ``_pre_setup`` is left to Django and channels."""

from channels.testing import ChannelsLiveServerTestCase
from django.contrib.auth import get_user_model
from live_cases import join_as


class MatchOverLiveServer(ChannelsLiveServerTestCase):  # kb: ignore[KB150] (coverage-measured: not this entry)
    serve_static = False

    def setUp(self):
        super().setUp()
        self.ada = get_user_model().objects.create_user("ada")

    def test_a_user_joins_a_match(self):
        self.assertEqual(join_as(self.live_server_ws_url, self.ada.pk)["type"], "joined")
