"""The docs name real files and modules: a rename that forgets docs/ fails here."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])

# `code` spans and [text](link) targets.
CODE = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
# A path in the repository: folders and a name with an extension, or a folder ending in /.
PATH = re.compile(r"^(?:\.\./)?[\w.-]+(?:/[\w.-]+)*(?:\.\w+|/)$")
# A dotted name that starts with one of our packages: pages.visits.totals(...)
# (Not a system check id such as `modsite.E003`, nor a migration such as `pages.0004`.)
MODULE = re.compile(r"^(modsite|pages|consultations|staff|backups)(?:\.[a-z_]\w*)+")
# Generated, local or ignored paths a doc may name without them being in git.
NOT_IN_GIT = ("artifacts/", "staticfiles", ".venv", "db.sqlite3", "django.mo", "tools/lighthouse/")


def _named_paths(text):
    for span in CODE.findall(text) + LINK.findall(text):
        candidate = span.split("#")[0].split("?")[0]
        if "://" in span or span.startswith("/") or not PATH.match(candidate):
            continue
        if candidate.startswith(NOT_IN_GIT) or candidate.endswith(NOT_IN_GIT):
            continue
        if "/" not in candidate:  # a bare name (`django.po`) or a dotted module
            continue
        if candidate.split("/")[0].isupper():  # a placeholder: BACKUP_DIR/last-backup.json
            continue
        yield candidate


def _named_modules(text):
    for span in CODE.findall(text):
        match = MODULE.match(span.strip())
        if match and "/" not in span:
            yield match.group(0)


def _resolves(doc, path):
    return (doc.parent / path).exists() or (ROOT / path).exists()


def _importable(dotted):
    """The longest importable prefix, then the attributes after it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_a_doc_names_exists(doc):
    missing = [p for p in _named_paths(doc.read_text()) if not _resolves(doc, p)]
    assert not missing, f"{doc.name} names paths that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_a_doc_names_imports(doc):
    missing = [m for m in _named_modules(doc.read_text()) if not _importable(m)]
    assert not missing, f"{doc.name} names modules that do not exist: {missing}"


def test_the_check_finds_a_missing_path(tmp_path):
    doc = tmp_path / "x.md"
    text = "See `pages/no_such_module.py` and `pages.visits.no_such_function`."
    assert list(_named_paths(text)) == ["pages/no_such_module.py"]
    assert not _resolves(doc, "pages/no_such_module.py")
    assert not _importable("pages.visits.no_such_function")
    assert _importable("pages.visits.totals")
