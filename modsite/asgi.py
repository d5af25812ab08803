"""ASGI entry point. Production settings unless told otherwise."""

from django.core.asgi import get_asgi_application

from modsite.settings.env import use_settings_module

use_settings_module("modsite.settings.production")  # also when set but empty

application = get_asgi_application()
