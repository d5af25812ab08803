import pytest
from django.core.cache import cache

from pages.models import Location
from tests import factories
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
    return factories.make_location


@pytest.fixture
def login(client):
    """`login(user)`: the test client, signed in as `user` (tests/factories.py)."""

    def login_as(user):
        return factories.signed_in(client, user)

    return login_as


@pytest.fixture
def client():
    """Django's test client, posting forms URL-encoded as browsers do (tests/form_client.py)."""
    return FormClient()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests in real transactions run last, whatever else reordered the items; of them,
    those that restore the database from its serialized copy run first.

    pytest-django orders them last, but pytest's own grouping by parametrized fixtures
    (the browser tests' `browser_name`) can run after it and move plain database tests
    behind them. A real transaction ends in a flush that empties every table, rows the
    data migrations made (Bellevue, Gretna) included, so a plain test after it finds no
    clinics. A flush without serialized_rollback also makes the content types again in
    a new order, and a serialized copy (which names the migrations' order) then no longer
    loads on top of them: so the serialized tests go before any such flush. A stable sort
    keeps each group's own order."""
    items.sort(key=_transaction_tier)


def _transaction_tier(item):
    """0: rolled back (or no database); 1: a real transaction restored from the serialized
    copy; 2: a real transaction that starts from whatever the last flush left."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return 1 if marker.kwargs.get("serialized_rollback") else 2
    if {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())):
        return 2
    return 0
