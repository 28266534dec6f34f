from django.urls import path, re_path

from .consumers.echo import EchoConsumer
from .consumers.match import MatchConsumer
from .consumers.prices import PriceStreamConsumer

websocket_urlpatterns = [
    path("ws/echo/", EchoConsumer.as_asgi()),
    re_path(r"^ws/match/(?P<room>[A-Za-z0-9_-]{1,40})/$", MatchConsumer.as_asgi()),
    path("ws/prices/", PriceStreamConsumer.as_asgi()),
]
