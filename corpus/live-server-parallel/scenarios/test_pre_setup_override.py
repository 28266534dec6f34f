# kb-corpus: django >= 5.2
"""A ChannelsLiveServerTestCase subclass that extends ``_pre_setup`` as an instance method, as
written for Django < 5.2 (and as channels < 4.3's own class did). Django 5.2's
``TransactionTestCase.setUpClass`` calls ``cls._pre_setup()`` on the class: no ``self``."""

from channels.testing import ChannelsLiveServerTestCase
from django.contrib.auth import get_user_model
from live_cases import join_as


class MatchOverLiveServer(ChannelsLiveServerTestCase):
    serve_static = False

    def _pre_setup(self):
        super()._pre_setup()
        self.ada = get_user_model().objects.create_user("ada")

    def test_a_user_joins_a_match(self):
        self.assertEqual(join_as(self.live_server_ws_url, self.ada.pk)["type"], "joined")
