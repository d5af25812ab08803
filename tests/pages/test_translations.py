"""The Spanish catalogue is complete: every string the code and templates mark for
translation has a Spanish msgstr, none is left fuzzy, and the compiled file is current."""

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
SOURCES = ["manage.py", "modsite", "pages", "consultations", "templates"]


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
