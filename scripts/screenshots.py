"""`make screenshots`: every patient page at 390 px (a phone) and 1,280 px (a laptop), in
English and in Spanish, as full-page PNGs in artifacts/screenshots/ for design review.

Runs the development server (modsite.settings.dev) on a free port against a throwaway
SQLite database: the migrations make Bellevue and Gretna (no phone or address, as on the
live site until staff enter them), and `seed_locations 1` adds one plainly fake clinic with
a fictional 555 phone and hours, so the pages are seen both with and without contact
details. The thank-you page is reached by sending the form, as a patient would. Playwright
drives Debian's /usr/bin/chromium (never a downloaded browser).

Files: <page>-<language>-<width>.png, e.g. treatment-en-390.png (also form-errors-* and
thanks-*: the form sent empty, then filled in), and at 390 px also
<page>-<language>-390-first-screen.png (the first 390x844 screen).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "artifacts" / "screenshots"
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = {390: 844, 1280: 800}
# (name, English path, Spanish path); {fake} is the seeded fake clinic's slug.
PAGES = [
    ("home", "/", "/es/"),
    ("finder", "/locations/?q=68005", "/es/clinicas/?q=68005"),
    # Gretna's own ZIP: Gretna has no address yet, so it is listed after the measured ones.
    ("finder-gretna-zip", "/locations/?q=68028", "/es/clinicas/?q=68028"),
    ("finder-state", "/locations/?state={state}", "/es/clinicas/?state={state}"),
    ("location", "/bellevue/", "/es/bellevue/"),
    ("location-phone", "/{fake}/", "/es/{fake}/"),
    ("treatment", "/bellevue/isotretinoin/", "/es/bellevue/isotretinoina/"),
    ("treatment-phone", "/{fake}/isotretinoin/", "/es/{fake}/isotretinoina/"),
    ("form", "/bellevue/consultation/", "/es/bellevue/consulta/"),
    ("form-phone", "/{fake}/consultation/", "/es/{fake}/consulta/"),
    ("form-general", "/consultation/", "/es/consulta/"),
    ("privacy", "/privacy/", "/es/privacidad/"),
    ("language-help", None, None),
    ("nondiscrimination", None, None),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env, *args, capture=False):
    return subprocess.run(  # noqa: S603 our own arguments
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=capture,
        text=True,
    ).stdout


def prepare(env):
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_locations", "1")
    code = (
        "from pages.models import Location;"
        "fake = Location.objects.exclude(phone='').order_by('pk').first();"
        "print(fake.slug, fake.state)"
    )
    line = manage(env, "shell", "-v0", "-c", code, capture=True).strip().splitlines()[-1]
    slug, state = line.split()
    return slug, state


def wait_for(url, server):
    for _ in range(120):
        if server.poll() is not None:
            sys.exit("The development server stopped before it answered.")
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 our own local server
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("The development server did not answer in 60 seconds.")


def page_paths(fake, state):
    from django.urls import reverse
    from django.utils import translation

    paths = []
    for name, english, spanish in PAGES:
        if english is None:
            url_name = {"language-help": "pages:language_assistance"}.get(
                name, "pages:nondiscrimination"
            )
            english = reverse(url_name)
            with translation.override("es"):
                spanish = reverse(url_name)
        paths.append(
            (
                name,
                english.format(fake=fake, state=state),
                spanish.format(fake=fake, state=state),
            )
        )
    return paths


def shoot(page, base, path, name):
    response = page.goto(base + path)
    if response is None or response.status >= 400:
        sys.exit(f"{path} answered {response and response.status}")
    path_out = OUT / f"{name}.png"
    page.screenshot(path=str(path_out), full_page=True)
    if name.endswith("-390"):
        # The first screen a phone shows: what a patient sees before scrolling.
        page.screenshot(path=str(OUT / f"{name}-first-screen.png"))
    return path_out


def send_form(page, base, form_path):
    """Fill the form as a patient would; the thank-you page follows."""
    page.goto(base + form_path)
    page.fill("#id_first_name", "Sample")
    page.fill("#id_last_name", "Screenshot")
    page.check("input[name=contact_method][value=email]")
    page.fill("#id_email", "sample@example.com")
    page.locator("input[name=topic]").first.check()
    page.locator("input[name=patient_type]").first.check()
    page.locator("input[name=consent]").check()
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "modsite.settings.dev",
            "DATABASE_URL": f"sqlite:///{tmp}/screenshots.sqlite3",
            "CONSULTATION_MIN_SECONDS": "0",
            "CONSULTATION_RATE_LIMIT": "1000/h",
            "REDIS_URL": "",
        }
        os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
        fake, state = prepare(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 our own arguments
            [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(base + "/healthz", server)
            written = run_browser(base, page_paths(fake, state), fake)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{len(written)} screenshots in {OUT.relative_to(ROOT)}/")


def run_browser(base, paths, fake):
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for width, height in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            for name, english, spanish in paths:
                written.append(shoot(page, base, english, f"{name}-en-{width}"))
                written.append(shoot(page, base, spanish, f"{name}-es-{width}"))
            for language, form in (
                ("en", f"/{fake}/consultation/"),
                ("es", f"/es/{fake}/consulta/"),
            ):
                # Sent empty: the error summary, in the order of the questions.
                page.goto(base + form)
                page.locator("form [type=submit]").last.click()
                page.wait_for_load_state()
                path_out = OUT / f"form-errors-{language}-{width}.png"
                page.screenshot(path=str(path_out), full_page=True)
                written.append(path_out)
                send_form(page, base, form)
                path_out = OUT / f"thanks-{language}-{width}.png"
                page.screenshot(path=str(path_out), full_page=True)
                written.append(path_out)
            context.close()
        browser.close()
    return written


if __name__ == "__main__":
    main()
