"""Is every page language compiled? A deploy that skipped `make locale` (msgfmt) serves
English navigation, buttons and form errors under /es/ without any error: Django falls
back to the source text when it finds no catalogue. `check --deploy` reports it
(modsite.checks) and the WSGI/ASGI entry points refuse to start (modsite.wsgi).
"""

import gettext
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language_info, to_locale

# On every page (the skip link in base.html): a catalogue that does not translate it has
# lost its entries, whatever its date.
KNOWN_STRING = "Skip to main content"
COMPILE_HINT = (
    "Compile the translations after every deploy: make locale, or "
    "manage.py compilemessages --ignore=.venv."
)


def catalogue_problems():
    """One sentence per language in LANGUAGES (but the source language, English) whose
    compiled catalogue is missing, older than its django.po, or translates nothing known."""
    source = settings.LANGUAGE_CODE.split("-")[0]
    problems = []
    for code, _name in settings.LANGUAGES:
        if code.split("-")[0] == source:
            continue
        problem = _problem(code)
        if problem:
            label = f"{get_language_info(code)['name']} ({code})"
            problems.append(f"{label} pages would show English: {problem}.")
    return problems


def _folders(code):
    return [Path(path) / to_locale(code) / "LC_MESSAGES" for path in settings.LOCALE_PATHS]


def _problem(code):
    compiled = []
    for folder in _folders(code):
        mo, po = folder / "django.mo", folder / "django.po"
        if mo.exists() and po.exists() and mo.stat().st_mtime < po.stat().st_mtime:
            return f"{mo} is older than {po.name} (compiled before the last change)"
        if mo.exists():
            compiled.append(mo)
        elif po.exists():
            return f"no compiled catalogue: {po} has no django.mo"
    if not compiled:
        return "no compiled catalogue (django.mo) in LOCALE_PATHS"
    if not any(_translates(mo, KNOWN_STRING) for mo in compiled):
        return f'the compiled catalogue does not translate "{KNOWN_STRING}"'
    return None


def _translates(mo, text):
    try:
        with mo.open("rb") as file:
            return gettext.GNUTranslations(file).gettext(text) != text
    except (OSError, ValueError, UnicodeDecodeError):
        return False  # unreadable or not a catalogue: translates nothing
