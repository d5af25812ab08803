"""The same page in each language: for the language link, hreflang alternates and
og:locale. Pages name their equivalents by URL name, so Spanish path words just work."""

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils import translation

register = template.Library()

# Open Graph wants a territory; the site serves US patients.
OG_LOCALES = {"en": "en_US", "es": "es_US"}


def _equivalent_path(match, language):
    with translation.override(language):
        try:
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return None


@register.simple_tag(takes_context=True)
def page_languages(context):
    """One entry per language: code, name (in that language), path of this page in it,
    whether it is the page's own language. `exact` is False when the page has no
    equivalents (a 404, or an error page): the paths then lead to each language's home."""
    request = context.get("request")
    current = translation.get_language()
    match = None
    if "request_path" in context:
        pass  # Django's 404 view: the address leads nowhere, in any language
    elif request is not None and getattr(request, "resolver_match", None) is not None:
        match = request.resolver_match
    elif request is not None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    entries = []
    exact = match is not None and match.namespace in ("pages", "consultations")
    for code, name in settings.LANGUAGES:
        path = _equivalent_path(match, code) if exact else None
        if path is None:
            exact = False
        entries.append({"code": code, "name": name, "current": code == current, "path": path})
    for entry in entries:
        if not exact:
            with translation.override(entry["code"]):
                entry["path"] = reverse("pages:home")
    return {
        "exact": exact,
        "all": entries,
        "others": [entry for entry in entries if not entry["current"]],
        "default": next(e for e in entries if e["code"] == settings.LANGUAGE_CODE),
    }


@register.simple_tag
def og_locale(code):
    return OG_LOCALES.get(code, code)
