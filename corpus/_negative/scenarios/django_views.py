"""Django test runner failures whose cause is the test's own expectation."""

from django.contrib.auth import get_user_model
from django.test import TestCase


class RoomTests(TestCase):
    def test_room_name_differs(self):
        self.assertEqual("lobby", "main-room")

    def test_user_missing(self):
        get_user_model().objects.get(username="nobody")
