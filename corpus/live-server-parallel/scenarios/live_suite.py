"""A suite as ``manage.py test --parallel`` sees it: two live-server classes (tagged ``live``)
and two plain ones. Django's runner splits it per class over a pool of worker processes."""

from channels.testing import ChannelsLiveServerTestCase
from django.contrib.auth import get_user_model
from django.test import SimpleTestCase, tag
from live_cases import join_as


@tag("live")
class FirstLiveTests(ChannelsLiveServerTestCase):
    serve_static = False

    def test_a_user_joins_a_match(self):
        ada = get_user_model().objects.create_user("ada")
        self.assertEqual(join_as(self.live_server_ws_url, ada.pk)["type"], "joined")

    def test_the_server_has_an_address(self):
        # a second test: channels < 4.3.0 starts (and here fails to start) the server per test
        self.assertTrue(self.live_server_url.startswith("http://"))


@tag("live")
class SecondLiveTests(FirstLiveTests):
    pass


class FirstPlainTests(SimpleTestCase):
    def test_arithmetic(self):
        self.assertEqual(1 + 1, 2)


class SecondPlainTests(FirstPlainTests):
    pass
