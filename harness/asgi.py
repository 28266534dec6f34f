"""The ASGI application Daphne serves: ``daphne harness.asgi:application``."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "harness.settings.production")

from django.core.asgi import get_asgi_application  # noqa: E402

http_application = get_asgi_application()  # sets Django up before the consumers import

from harness.stacks import server_application  # noqa: E402

application = server_application(http_application)
