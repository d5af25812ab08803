"""Find clinics by ZIP code (nearest first, in miles), by city, state or name.

A fixed number of queries per search whatever the number of clinics: distances are
computed here from the coordinates saved with each location (pages.geo), not in the
database, so SQLite and PostgreSQL behave the same. The full list (an empty search) reads
plain values, not model instances, so a thousand clinics stay cheap (see `make bench`).
"""

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Q
from django.urls import reverse

from . import geo, text
from .models import Location
from .usstates import STATE_NAMES

# Nearest clinics listed for a ZIP code, and matches listed for a text search.
NEAREST_LIMIT = 10
MATCH_LIMIT = 50
MAX_QUERY_LENGTH = 100

_FIELDS = [
    "name",
    "slug",
    "street_address",
    "city",
    "state",
    "postal_code",
    "phone",
    "latitude",
    "longitude",
    "sort_order",
]


@dataclass
class Result:
    location: Location
    url: str
    miles: float | None = None


@dataclass
class Entry:
    """One line of the full list: just what it shows."""

    name: str
    city: str
    url: str


@dataclass
class Search:
    query: str
    # "all" (empty search), "zip", "unknown_zip", "text"
    kind: str
    results: list[Result] = field(default_factory=list)
    # For an empty search: [(state name, [Entry, ...]), ...]
    groups: list = field(default_factory=list)
    total: int = 0

    @property
    def truncated(self):
        return self.total > len(self.results)


def _state_code(text):
    upper = text.strip().upper()
    if upper in STATE_NAMES:
        return upper
    lowered = text.strip().lower()
    for code, name in STATE_NAMES.items():
        if str(name).lower() == lowered:
            return code
    return None


def _base():
    return Location.objects.active().only(*_FIELDS)


def _url_maker(url_name):
    """slug -> URL for `url_name`, reversing once rather than once per clinic."""
    marker = "slug-placeholder"
    pattern = reverse(url_name, kwargs={"slug": marker})
    return lambda slug: pattern.replace(marker, slug, 1)


def clean_query(query):
    """The search as we read it: one spelling (NFKC), any script's digits as ASCII ones
    (full-width or Arabic-Indic 68005 finds clinics near 68005), and no control or
    invisible characters (a NUL would make PostgreSQL fail). A search comes in a link:
    there is nobody to ask to fix it, so these are dropped, not refused."""
    # Cut first too: a robot's megabyte-long query is not worth normalising.
    query = text.ascii_digits(text.strip_unsafe((query or "")[: MAX_QUERY_LENGTH * 4]))
    return query.strip()[:MAX_QUERY_LENGTH]


def search(query, url_name="pages:location"):
    """Clinics for `query`; each result links to `url_name` for that clinic (its page, or
    e.g. its consultation form)."""
    query = clean_query(query)
    url = _url_maker(url_name)
    if not query:
        return _all(url)
    code = geo.zip5(query)
    if code:
        return _nearest(query, code, url)
    return _text(query, url)


def _all(url):
    rows = Location.objects.active().order_by("state", "city", "name")
    rows = rows.values_list("state", "name", "city", "slug")
    groups = []
    total = 0
    for state, members in groupby(rows, key=lambda row: row[0]):
        entries = [Entry(name, city, url(slug)) for _, name, city, slug in members]
        total += len(entries)
        groups.append((str(STATE_NAMES.get(state, "")) or None, entries))
    # Clinics without a state come last, under "Other clinics".
    groups.sort(key=lambda group: (group[0] is None, group[0] or ""))
    return Search(query="", kind="all", groups=groups, total=total)


def _nearest(query, code, url):
    point = geo.zip_point(code)
    if point is None:
        return Search(query=query, kind="unknown_zip")
    located = Location.objects.active().filter(latitude__isnull=False, longitude__isnull=False)
    distances = sorted(
        (geo.miles_between(point, (lat, lon)), name, pk)
        for pk, name, lat, lon in located.values_list("pk", "name", "latitude", "longitude")
    )
    nearest = distances[:NEAREST_LIMIT]
    by_pk = _base().in_bulk([pk for _, _, pk in nearest])
    results = [
        Result(by_pk[pk], url(by_pk[pk].slug), miles) for miles, _, pk in nearest if pk in by_pk
    ]
    return Search(query=query, kind="zip", results=results, total=len(distances))


def _text(query, url):
    """City, state or name. “Omaha, NE” means the city Omaha in Nebraska."""
    city, _, region = query.partition(",")
    city, region = city.strip(), region.strip()
    state = _state_code(region) if region else None
    if region and state:
        condition = Q(city__icontains=city, state=state)
    else:
        condition = Q(name__icontains=query) | Q(city__icontains=query)
        whole_state = _state_code(query)
        if whole_state:
            condition |= Q(state=whole_state)
    matches = list(_base().filter(condition).order_by("state", "city", "name")[: MATCH_LIMIT + 1])
    results = [Result(loc, url(loc.slug)) for loc in matches[:MATCH_LIMIT]]
    return Search(query=query, kind="text", results=results, total=len(matches))
