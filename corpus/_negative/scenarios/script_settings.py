"""A program that fails at start-up for a reason of its own: a required setting is missing."""

import os

os.environ.pop("DJANGO_SETTINGS_MODULE", None)

from django.conf import settings  # noqa: E402

print(settings.CHANNEL_LAYERS)
