import pytest
from django.core.cache import cache

from pages.models import Location
from tests.form_client import FormClient


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The test database rolls back after each test; the cache must forget with it.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def bellevue(db):
    return Location.objects.get(slug="bellevue")


@pytest.fixture
def gretna(db):
    return Location.objects.get(slug="gretna")


@pytest.fixture
def make_location(db):
    def make(name="Omaha", slug=None, **fields):
        return Location.objects.create(name=name, slug=slug or name.lower(), **fields)

    return make


@pytest.fixture
def client():
    """Django's test client, posting forms URL-encoded as browsers do (tests/form_client.py)."""
    return FormClient()
