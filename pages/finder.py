"""Find clinics by ZIP code (nearest first, in miles), by city, state or name, or browse
them by state, PAGE_SIZE at a time.

A fixed number of queries per search whatever the number of clinics: distances are
computed here from the coordinates saved with each location (pages.geo), not in the
database, so SQLite and PostgreSQL behave the same. An empty search never lists every
clinic: past one page it lists the states (one grouped count), each a link to that
state's clinics, a page at a time (see benchmarks/bench_locations.py).
"""

from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import urlencode

from django.db.models import Case, Count, Q, When, prefetch_related_objects
from django.urls import reverse

from . import geo, text
from .models import Location
from .usstates import STATE_NAMES

# Nearest clinics listed for a ZIP code; clinics per page of a text search or a state.
NEAREST_LIMIT = 10
PAGE_SIZE = 20
MAX_QUERY_LENGTH = 100
# The search is shown back only quoted and this short: a page must not carry a message
# someone typed into a link ("All clinics are closed, call ...").
SHOWN_QUERY_LENGTH = 40
# ?state= value for the clinics without a (known) state.
OTHER_STATE = "other"

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
    "time_zone",
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
class State:
    """One line of the list of states: a link to its clinics."""

    code: str  # a USPS code, or OTHER_STATE
    name: str | None  # None: "Other clinics"
    count: int

    @property
    def link(self):
        return "?" + urlencode({"state": self.code})


@dataclass
class Paging:
    """Page `number` of `pages`; previous/next are links relative to the page's path
    (plain links: they work without JavaScript)."""

    number: int
    pages: int
    params: dict  # the other GET parameters of these results, e.g. {"state": "NE"}

    def _link(self, number):
        params = {**self.params, **({"page": number} if number > 1 else {})}
        return "?" + urlencode(params)

    @property
    def previous(self):
        return self._link(self.number - 1) if self.number > 1 else None

    @property
    def next(self):
        return self._link(self.number + 1) if self.number < self.pages else None


@dataclass
class Search:
    query: str
    # "all" (empty search, one page of clinics or fewer), "states" (empty search, more
    # clinics: the list of states), "state" (one state's clinics), "zip", "unknown_zip",
    # "text"
    kind: str
    results: list[Result] = field(default_factory=list)
    # For "all": [(state name, [Entry, ...]), ...]
    groups: list = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    state: State | None = None  # for "state"
    unknown_state: bool = False  # ?state= named no state we know: the states are shown
    paging: Paging | None = None
    total: int = 0
    zip: str = ""  # for "zip" and "unknown_zip": the 5-digit code searched
    # For "zip": clinics with no address on the site yet (no distance to measure), shown
    # by name and city after the measured ones, so a clinic is never silently missing.
    unplaced: list[Result] = field(default_factory=list)

    @property
    def shown_query(self):
        """The search as shown back to the patient (always inside quotes): shortened."""
        if len(self.query) <= SHOWN_QUERY_LENGTH:
            return self.query
        return self.query[: SHOWN_QUERY_LENGTH - 1].rstrip() + "…"

    @property
    def canonical_params(self):
        """The GET parameters of the link to exactly this page, or None for a search:
        a page shown for text someone typed is never kept (pages.views.FinderView)."""
        if self.query:
            return None
        params = {"state": self.state.code} if self.state else {}
        if self.paging and self.paging.number > 1:
            params["page"] = str(self.paging.number)
        return params


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


def _with_hours(results):
    """The results' hours and closures, two queries whatever their number (none when
    there are no results): each card says "open now"."""
    prefetch_related_objects([result.location for result in results], "opening_hours", "closures")
    return results


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


def from_params(params, url_name="pages:location"):
    """What the finder shows for a request's GET parameters: q (a search), else state
    (one state's clinics), else the overview; page for the results' page number."""
    query = params.get("q", "")
    page = params.get("page")
    if query.strip():
        return search(query, url_name, page=page)
    state = params.get("state", "")
    if state:
        return in_state(state, url_name, page=page)
    return search("", url_name)


def search(query, url_name="pages:location", page=None):
    """Clinics for `query`; each result links to `url_name` for that clinic (its page, or
    e.g. its consultation form)."""
    query = clean_query(query)
    url = _url_maker(url_name)
    if not query:
        return _overview(url)
    code = geo.zip5(query)
    if code:
        return _nearest(query, code, url)
    return _text(query, url, page)


def _states():
    """Every state with active clinics, by name, "Other clinics" last (one query)."""
    counts = {}
    rows = Location.objects.active().order_by().values("state").annotate(n=Count("pk"))
    for row in rows:
        code = row["state"] if row["state"] in STATE_NAMES else OTHER_STATE
        counts[code] = counts.get(code, 0) + row["n"]
    states = [
        State(code, str(STATE_NAMES[code]) if code in STATE_NAMES else None, n)
        for code, n in counts.items()
    ]
    states.sort(key=lambda state: (state.name is None, state.name or ""))
    return states


def _overview(url, unknown_state=False):
    """Past one page of clinics, the list of states; up to it, every clinic by state.
    Two queries either way."""
    states = _states()
    total = sum(state.count for state in states)
    rows = Location.objects.active().order_by("state", "city", "name")
    rows = list(rows.values_list("state", "name", "city", "slug")[: PAGE_SIZE + 1])
    if len(rows) > PAGE_SIZE:
        return Search(
            query="", kind="states", states=states, total=total, unknown_state=unknown_state
        )
    groups = []
    for state, members in groupby(rows, key=lambda row: row[0]):
        entries = [Entry(name, city, url(slug)) for _, name, city, slug in members]
        groups.append((str(STATE_NAMES.get(state, "")) or None, entries))
    # Clinics without a state come last, under "Other clinics".
    groups.sort(key=lambda group: (group[0] is None, group[0] or ""))
    return Search(query="", kind="all", groups=groups, total=len(rows), unknown_state=unknown_state)


def _page_number(raw, total):
    """A page number from the URL, within 1..pages (anything else: the nearest page)."""
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = 1
    return min(max(number, 1), pages), pages


def _paged(matches, url, page, params):
    """One page of `matches` as results: a count and a slice, two queries."""
    total = matches.count()
    number, pages = _page_number(page, total)
    start = (number - 1) * PAGE_SIZE
    rows = matches.order_by("state", "city", "name")[start : start + PAGE_SIZE]
    results = _with_hours([Result(loc, url(loc.slug)) for loc in rows])
    return results, total, Paging(number, pages, params)


def in_state(code, url_name="pages:location", page=None):
    """One state's clinics (OTHER_STATE: those without a known state), a page at a time;
    an unknown code gets the overview, saying so."""
    url = _url_maker(url_name)
    code = str(code).strip()
    if code.upper() in STATE_NAMES:
        code = code.upper()
        condition = Q(state=code)
        state = State(code, str(STATE_NAMES[code]), 0)
    elif code.lower() == OTHER_STATE:
        condition = ~Q(state__in=list(STATE_NAMES))
        state = State(OTHER_STATE, None, 0)
    else:
        return _overview(url, unknown_state=True)
    results, total, paging = _paged(_base().filter(condition), url, page, {"state": state.code})
    state.count = total
    return Search(query="", kind="state", results=results, state=state, paging=paging, total=total)


def _nearest(query, code, url):
    point = geo.zip_point(code)
    if point is None:
        return Search(query=query, kind="unknown_zip", zip=code)
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
    unplaced = [Result(loc, url(loc.slug)) for loc in _unplaced(code)]
    _with_hours(results + unplaced)
    return Search(
        query=query,
        kind="zip",
        results=results,
        total=len(distances),
        zip=code,
        unplaced=unplaced,
    )


def _unplaced(code):
    """Clinics without coordinates (no address entered yet, or a ZIP we cannot place):
    those at this ZIP first, then by name; at most NEAREST_LIMIT."""
    rows = _base().filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
    at_zip = Case(When(postal_code__startswith=code, then=0), default=1)
    return list(rows.order_by(at_zip, "name")[:NEAREST_LIMIT])


def _text(query, url, page):
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
    results, total, paging = _paged(_base().filter(condition), url, page, {"q": query})
    return Search(query=query, kind="text", results=results, paging=paging, total=total)
