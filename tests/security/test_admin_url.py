"""The staff admin answers only at the path set in ADMIN_URL."""

import importlib

import pytest
from django.urls import clear_url_caches

import modsite.urls


@pytest.fixture
def admin_at(settings):
    """Rebuilds the URL map with the admin at another path, and puts it back afterwards."""
    original = settings.ADMIN_URL

    def move(path):
        settings.ADMIN_URL = path
        importlib.reload(modsite.urls)
        clear_url_caches()

    yield move
    move(original)


def test_admin_path_comes_from_the_environment(monkeypatch):
    base = importlib.import_module("modsite.settings.base")
    try:
        monkeypatch.setenv("ADMIN_URL", "/staff-7f3k")
        assert importlib.reload(base).ADMIN_URL == "staff-7f3k/"
    finally:
        monkeypatch.undo()
        importlib.reload(base)


@pytest.mark.django_db
def test_admin_answers_at_the_configured_path_and_not_at_admin(client, admin_at):
    admin_at("staff-7f3k/")

    assert client.get("/staff-7f3k/login/").status_code == 200
    assert client.get("/staff-7f3k/").status_code == 302  # to the sign-in page
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404
