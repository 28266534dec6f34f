"""Not live-server-testcase: an ordinary ``TestCase`` whose view reads a model that has no
migration (``makemigrations`` never run), hit through Django's test client, with the request
logged to the console (a project's ``LOGGING``). No live server, no channels: the log line is
Django's ``Internal Server Error: /rooms/`` and the table missing is the project's own, never a
server's ``Exception inside application: ...`` (review-3-lst, problem 1). PostgreSQL here (picked at import, before the runner makes
the test database); ``django_missing_migration`` is the same on SQLite."""

import logging

from django.db import models
from django.http import HttpResponse
from django.test import TestCase, override_settings
from django.urls import path

from harness.databases import configure

configure("postgres")

logging.getLogger("django.request").addHandler(logging.StreamHandler())  # a console LOGGING


class Room(models.Model):  # added after the app's last migration
    name = models.CharField(max_length=50)

    class Meta:
        app_label = "auth"  # an installed app with migrations, none of which makes this table
        db_table = "rooms_room"


def rooms(request):
    return HttpResponse(", ".join(room.name for room in Room.objects.all()))


urlpatterns = [path("rooms/", rooms)]


@override_settings(ROOT_URLCONF=__name__)
class RoomListTests(TestCase):
    def test_room_list(self):
        self.assertEqual(self.client.get("/rooms/").status_code, 200)
