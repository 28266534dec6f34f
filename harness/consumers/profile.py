"""A consumer that reads the database the way most Channels code does: ``database_sync_to_async``."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.routing import URLRouter
from django.contrib.auth import get_user_model
from django.urls import path

from . import connect_calls


@database_sync_to_async
def load_profile(pk: int) -> dict:
    """The user's public fields. Runs on asgiref's worker thread, with that thread's own
    database connection (or, under ``async_to_sync``, on the calling thread with its
    connection); raises ``User.DoesNotExist`` for an unknown ``pk``."""
    user = get_user_model().objects.get(pk=pk)
    return {"type": "profile", "id": user.pk, "username": user.username}


class ProfileConsumer(AsyncJsonWebsocketConsumer):
    """``/ws/profile/<pk>/``: accepts and sends the user's profile once; read-only.

    Not behind authentication on purpose: it exists to show which rows a consumer's thread can
    see, and ``connect()`` fails with the lookup's exception when it sees none.
    """

    async def connect(self):
        connect_calls["profile"] += 1
        profile = await load_profile(self.scope["url_route"]["kwargs"]["pk"])
        await self.accept()
        await self.send_json(profile)


def profile_router() -> URLRouter:
    """A router with the profile route only (the production routing does not serve it)."""
    return URLRouter([path("ws/profile/<int:pk>/", ProfileConsumer.as_asgi())])
