"""The Spanish catalogue is complete: every string the code and templates mark for
translation has a Spanish msgstr, none is left fuzzy, and the compiled file is current."""

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# What makemessages reads: our Python code and templates.
SOURCES = [
    "manage.py",
    "modsite",
    "pages",
    "consultations",
    "staff",
    "appointments",
    "backups",
    "templates",
]


def catalogue():
    return polib.pofile(str(PO))


def test_no_spanish_msgstr_is_empty_or_fuzzy():
    po = catalogue()
    assert len(po) > 100, "the Spanish catalogue is missing"
    empty = [entry.msgid for entry in po if not entry.translated() and not entry.obsolete]
    fuzzy = [entry.msgid for entry in po if "fuzzy" in entry.flags]
    assert not empty, f"untranslated: {empty}"
    assert not fuzzy, f"fuzzy (check and clear the flag): {fuzzy}"
    assert not po.metadata_is_fuzzy


def test_placeholders_survive_translation():
    for entry in catalogue():
        # Plural forms: the "many" form names every placeholder (the singular may
        # spell the number out).
        translations = [entry.msgstr_plural[1]] if entry.msgid_plural else [entry.msgstr]
        for placeholder in re.findall(r"%\(\w+\)s", entry.msgid_plural or entry.msgid):
            for text in translations:
                assert placeholder in text, (entry.msgid, text)


def test_compiled_catalogue_matches_the_po_file():
    # `make run`/`make test` compile it (msgfmt); a stale .mo would show old Spanish.
    assert MO.exists(), "run `make locale` (msgfmt) first"
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(MO))}
    source = {e.msgid: e.msgstr for e in catalogue() if e.translated() and not e.msgctxt}
    assert {k: compiled.get(k) for k in source} == source


@pytest.mark.process
@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (install script)")
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    # makemessages on a copy of the sources, into an empty locale folder: whatever it
    # finds must already be in our catalogue.
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    (tmp_path / "locale").mkdir()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "modsite.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found = polib.pofile(str(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    ours = {(entry.msgctxt, entry.msgid) for entry in catalogue()}
    missing = [entry.msgid for entry in found if (entry.msgctxt, entry.msgid) not in ours]
    assert not missing, f"run makemessages and translate: {missing}"


# --- A deploy must not serve English under /es/ -------------------------------------------


@pytest.fixture
def locale_copy(tmp_path, settings):
    """LOCALE_PATHS pointed at a copy of locale/ holding only django.po (nothing compiled)."""
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(PO, folder / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    return folder


@pytest.fixture
def deploy_check_output(db):
    """What `manage.py check --deploy` says, and whether it failed (some checks read the
    database)."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    def run():
        try:
            call_command("check", deploy=True, stdout=io.StringIO(), stderr=io.StringIO())
        except SystemCheckError as error:
            return True, str(error)
        return False, ""

    return run


def test_check_deploy_passes_with_the_compiled_catalogue(settings, deploy_check_output):
    settings.LOCALE_PATHS = [ROOT / "locale"]

    _failed, output = deploy_check_output()

    # (Other checks may fail in a test run, e.g. async.E001 under the browser tests.)
    assert "modsite.E003" not in output, output


def test_check_deploy_fails_when_spanish_was_never_compiled(locale_copy, deploy_check_output):
    failed, output = deploy_check_output()

    assert failed
    assert "modsite.E003" in output
    assert "Spanish (es)" in output
    assert "no compiled catalogue" in output


def test_check_deploy_fails_when_the_compiled_catalogue_is_older_than_its_source(
    locale_copy, deploy_check_output
):
    mo = locale_copy / "django.mo"
    shutil.copy(MO, mo)
    an_hour_ago = (locale_copy / "django.po").stat().st_mtime - 3600
    os.utime(mo, (an_hour_ago, an_hour_ago))

    failed, output = deploy_check_output()

    assert failed
    assert "older than" in output


def test_check_deploy_fails_when_the_compiled_catalogue_translates_nothing_known(
    locale_copy, deploy_check_output
):
    # Compiled from a catalogue that lost its entries (e.g. a bad merge), but newer.
    empty = polib.POFile()
    empty.metadata = catalogue().metadata
    empty.save_as_mofile(str(locale_copy / "django.mo"))

    failed, output = deploy_check_output()

    assert failed
    assert "Skip to main content" in output


@pytest.mark.process
def test_the_production_server_refuses_to_start_without_compiled_spanish(locale_copy):
    locale = locale_copy.parent.parent
    code = f"from django.conf import settings; settings.LOCALE_PATHS = [{str(locale)!r}]; "
    code += "import modsite.wsgi"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "modsite.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-the-test-0123456789",
        "ALLOWED_HOSTS": "www.example.com",
        "SITE_URL": "https://www.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "Spanish (es)" in result.stderr
