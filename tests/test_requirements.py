"""Installing the site is one plain `pip install -r requirements.txt`: every pin is exact,
nothing needs a build constraint, and Bootstrap comes from a wheel holding Bootstrap's own
files (no CDN, no build step)."""

import hashlib
import re
from pathlib import Path

from django.contrib.staticfiles import finders

ROOT = Path(__file__).resolve().parent.parent
# SHA-256 of bootstrap.min.css in Bootstrap 5.3.8's official dist (the same bytes
# XStatic-Bootstrap 5.3.8.0 shipped). Update it together with the bootstrap-wrapper pin.
BOOTSTRAP_CSS_SHA256 = "d85327d99c7a3ee1f9b5d0500d1370acea3ad2db39c163c2f51f232baedbdede"


def requirement_lines(name):
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-r "):
            yield line


def test_every_requirement_is_pinned_to_one_version():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in requirement_lines(name):
            assert re.fullmatch(r"[A-Za-z0-9_.\-]+==[A-Za-z0-9_.\-]+( ; .+)?", line), (name, line)


def test_installing_needs_no_constraint_file_or_pip_variables():
    assert not (ROOT / "constraints.txt").exists()
    for name in ("Makefile", "README.md", ".ci/run"):
        text = (ROOT / name).read_text()
        assert "CONSTRAINT" not in text, name
        assert "constraints.txt" not in text, name


def test_bootstrap_css_is_bootstraps_own_file_from_the_pinned_package():
    path = finders.find("vendor/bootstrap/css/bootstrap.min.css")
    assert path, "Bootstrap's CSS is not among the static files"
    data = Path(path).read_bytes()
    assert b"Bootstrap  v5.3.8" in data[:200]
    assert hashlib.sha256(data).hexdigest() == BOOTSTRAP_CSS_SHA256
