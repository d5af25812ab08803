"""WSGI entry point (gunicorn modsite.wsgi). Production settings unless told otherwise."""

import django

from modsite.crash import GuardedWSGIHandler
from modsite.settings.env import use_settings_module

use_settings_module("modsite.settings.production")  # also when set but empty
django.setup(set_prefix=False)

# Django's handler with a guard: whatever a request raises ends in the 500 page, never in a
# dead worker (modsite/crash.py). As django.core.wsgi.get_wsgi_application, otherwise.
application = GuardedWSGIHandler()
# The settings are loaded now; no serving English under /es/ (modsite/translations.py).
from modsite.checks import refuse_to_serve_untranslated  # noqa: E402

refuse_to_serve_untranslated()
