"""A clinic's slug is its top-level address (/<slug>/): no slug may take a path word the
site uses at the top level, in English or in Spanish, or that part of the site would be
hidden behind the clinic (or the clinic behind it)."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation

from pages.models import RESERVED_SLUGS


def top_level_words(patterns, prefix=""):
    """The first literal path word of every URL pattern, following includes."""
    for pattern in patterns:
        if isinstance(pattern.pattern, LocalePrefixPattern):
            # /es/...: the words after the language prefix are top level for a clinic too
            yield from top_level_words(pattern.url_patterns)
        route = prefix + str(pattern.pattern).lstrip("^")
        first = route.split("/", 1)[0]
        if first and "<" not in first and "(" not in first:
            yield first.rstrip("$")
        elif not first and isinstance(pattern, URLResolver):
            yield from top_level_words(pattern.url_patterns, route)


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_top_level_path_word_is_reserved_for_location_slugs(language):
    with translation.override(language):
        words = set(top_level_words(get_resolver().url_patterns))
    assert words, "no path words found: the walk is broken"
    # A word that is not a slug ($bulk-publish) can never be a clinic's address.
    slugs = {word for word in words if re.fullmatch(r"[-a-zA-Z0-9_]+", word)}
    assert slugs - RESERVED_SLUGS == set()


@pytest.mark.parametrize("slug", ["appointments", "citas", "Citas"])
def test_the_booking_path_words_cannot_be_a_clinics_slug(make_location, slug):
    location = make_location(name=f"Place {slug}", slug=slug)
    with pytest.raises(ValidationError):
        location.full_clean()
