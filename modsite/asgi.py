"""ASGI entry point. Production settings unless told otherwise."""

from django.core.asgi import get_asgi_application

from modsite.settings.env import use_settings_module

use_settings_module("modsite.settings.production")  # also when set but empty

application = get_asgi_application()

# The settings are loaded now; no serving English under /es/ (modsite/translations.py).
from modsite.checks import refuse_to_serve_untranslated  # noqa: E402

refuse_to_serve_untranslated()
