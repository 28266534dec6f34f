"""An ASGI module whose URLRouter routes to a consumer class (no ``as_asgi()``).

Served by Daphne in ``script_daphne_class_routed.py`` and the notebook.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harness.settings.test")

from django.core.asgi import get_asgi_application  # noqa: E402

http_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from harness.consumers.echo import EchoConsumer  # noqa: E402

application = ProtocolTypeRouter(
    {"http": http_application, "websocket": URLRouter([path("ws/echo/", EchoConsumer)])}
)
