"""Real-browser fixtures: Debian's Chromium driven by Playwright against Django's live server.

Playwright never downloads a browser of its own here; /usr/bin/chromium comes from the
apt packages that scripts/install-system-packages.sh installs (`make browser`).

Each test module starts with:

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

The live server sees only committed data, so browser tests run in real transactions and
the tables are emptied after each one. `_seed_data` puts back what the data migrations
make (Bellevue, Gretna, the staff groups, content dates). serialized_rollback is not used: once
Playwright's event loop runs, Django hands the test a fresh connection object without the
serialized data, and the flush then also skips re-creating permissions and content types.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; without this Django refuses
# the live server's database calls as "async unsafe". Set before any connection opens.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

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
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"

# An init script gathering the layout shifts of what is inside <main> in window.__shifts.
# The header is left out: on a loaded machine Chromium may paint a half-parsed header once,
# and its last items then slide into place; no script of a page moves it.
MAIN_LAYOUT_SHIFTS = """window.__shifts = [];
new PerformanceObserver(list => {
  for (const entry of list.getEntries()) {
    const moved = entry.sources
      .map(s => s.node && (s.node.nodeType === 1 ? s.node : s.node.parentElement))
      .filter(node => node && node.closest("main"));
    if (moved.length) {
      window.__shifts.push({value: entry.value, moved: moved.map(n => n.className || n.nodeName)});
    }
  }
}).observe({type: "layout-shift", buffered: true});"""


@pytest.fixture(autouse=True)
def _seed_data(transactional_db):
    """The rows the data migrations make, from today's reference lists (pages.reference,
    staff.reference; tests check that they equal what the migrations make)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal

    from pages.reference import create_content_dates, create_seed_locations
    from staff.reference import create_staff_groups

    # After a test restored from the serialized copy, its flush leaves no content types
    # or permissions (Django makes them again only after a plain flush): make them.
    if not ContentType.objects.exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    create_seed_locations()
    create_content_dates()
    create_staff_groups()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


def foreign_requests(urls, own_url):
    """The network requests (data: and blob: URLs are not) to any host but `own_url`'s."""
    own = urlsplit(own_url).netloc
    return [
        url
        for url in urls
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).netloc != own
    ]


@pytest.fixture
def page(page, live_server):
    """Playwright's page; the test fails if the page asks any host but the live server."""
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.requested_urls = requested
    yield page
    foreign = foreign_requests(requested, live_server.url)
    assert not foreign, f"The page asked other hosts: {foreign}"


@pytest.fixture
def find_foreign_requests(live_server):
    return lambda page: foreign_requests(page.requested_urls, live_server.url)


@pytest.fixture
def save_screenshot():
    """Saves a full-page screenshot under artifacts/screenshots/ (git-ignored)."""

    def save(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture
def axe_violations():
    """Runs axe-core (bundled with axe-playwright-python) for WCAG 2.2 A and AA rules."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
    options = {
        "runOnly": {"type": "tag", "values": tags},
        "resultTypes": ["violations"],
    }

    def run(page):
        results = axe.run(page, options=options)
        return results.violations_count, results.generate_report()

    return run


@pytest.fixture
def main_layout_shifts():
    """The init script that gathers the shifts of what is inside <main> (see above)."""
    return MAIN_LAYOUT_SHIFTS
