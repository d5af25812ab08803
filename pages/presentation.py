"""How a clinic is shown on a page: its address on one line, the directions link, the
opening-hours table (and the data static/js/opening-hours.js reads), the photo's srcsets.

Plain functions of a `Location`; the model exposes them under the names the templates
use (`location.hours_for_page`, `location.directions_url`, ...). Of the models it imports
only the weekday names, whose module imports no other model: the Location model imports
this module.
"""

import datetime
import json
from urllib.parse import urlencode

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.dateformat import time_format
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from . import hours
from .models.opening_hours import Weekday

# Friendly names for the time zones US clinics use; any other shows its IANA name.
ZONE_NAMES = {
    "America/New_York": _("Eastern Time"),
    "America/Detroit": _("Eastern Time"),
    "America/Indiana/Indianapolis": _("Eastern Time"),
    "America/Kentucky/Louisville": _("Eastern Time"),
    "America/Chicago": _("Central Time"),
    "America/Indiana/Knox": _("Central Time"),
    "America/Menominee": _("Central Time"),
    "America/North_Dakota/Center": _("Central Time"),
    "America/Denver": _("Mountain Time"),
    "America/Boise": _("Mountain Time"),
    "America/Phoenix": _("Arizona Time"),
    "America/Los_Angeles": _("Pacific Time"),
    "America/Anchorage": _("Alaska Time"),
    "Pacific/Honolulu": _("Hawaii Time"),
    "America/Puerto_Rico": _("Atlantic Time"),
}

# Closure dates listed on the page: the coming weeks only.
UPCOMING_CLOSURE_DAYS = 60


def address_one_line(location):
    return ", ".join([*location.street_lines, location.locality_line]).strip(", ")


def directions_url(location):
    """Staff's own map link, else a map search for the address: a link the patient
    chooses to follow (the page itself loads nothing from the map's host)."""
    if location.map_url:
        return location.map_url
    if not location.has_address:
        return ""
    query = urlencode({"api": "1", "query": f"MOD Dermatology, {address_one_line(location)}"})
    return f"https://www.google.com/maps/search/?{query}"


def day_range(first, last, periods):
    """One row of the grouped hours table: "Mon-Wed" (with an en dash) to see, "Monday to
    Wednesday" to hear; its periods as written ("8:00 AM", "5:00 PM"), by `clock`, as the
    open-now line writes them."""
    written = [(clock(opens), clock(closes)) for opens, closes in periods]
    if first == last:
        return {"short": WEEKDAYS_ABBR[first], "long": WEEKDAYS[first], "periods": written}
    return {
        "short": f"{WEEKDAYS_ABBR[first]}–{WEEKDAYS_ABBR[last]}",
        "long": _("%(first)s to %(last)s") % {"first": WEEKDAYS[first], "last": WEEKDAYS[last]},
        "periods": written,
    }


# How far ahead the page tells the script the clinic's UTC offsets: longer than any page is
# kept. Past it (or before it) the script asks the browser's time-zone data instead.
OFFSET_DAYS = 400


def _compact_json(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def clock(value):
    """A time of day in the page language's one style, as in the hours table."""
    return time_format(value, pgettext("time of day in opening hours", "g:i A"))


def _offsets_json(time_zone, today):
    """[[minutes since 1970 UTC, UTC offset in minutes], ..., [end, null]] from yesterday
    on; the last pair says where the list stops being known."""
    start = today - datetime.timedelta(days=1)
    changes = hours.utc_offset_changes(time_zone, start, OFFSET_DAYS)
    end = datetime.datetime.combine(start, datetime.time(), tzinfo=datetime.UTC)
    end += datetime.timedelta(days=OFFSET_DAYS)
    pairs = [[int(at.timestamp()) // 60, offset] for at, offset in changes]
    return _compact_json([*pairs, [int(end.timestamp()) // 60, None]])


def opening_hours_for_page(location):
    """The weekly table and the data static/js/opening-hours.js reads (same rows)."""
    schedule = location.schedule()
    if schedule.is_empty():
        return {"rows": []}
    by_day = {day: [] for day in range(7)}
    for interval in schedule.intervals:
        by_day[interval.weekday].append((interval.opens, interval.closes))
    today = timezone.now().astimezone(schedule.time_zone).date()
    # Dates before yesterday cannot matter to "open now"; a year ahead is plenty.
    closed = sorted(
        d
        for d in schedule.closed_dates
        if today - datetime.timedelta(days=1) <= d <= today + datetime.timedelta(days=366)
    )
    soon = today + datetime.timedelta(days=UPCOMING_CLOSURE_DAYS)
    closures = [c for c in location.closures.all() if today <= c.date <= soon]
    rows = [(day, by_day[day]) for day in range(7)]
    return {
        "rows": [(Weekday(day).label, periods) for day, periods in rows],
        "groups": [
            day_range(first, last, periods) for first, last, periods in hours.group_days(rows)
        ],
        "data": _compact_json(
            [
                [
                    i.weekday,
                    f"{i.opens:%H:%M}",
                    f"{i.closes:%H:%M}",
                    clock(i.opens),
                    clock(i.closes),
                ]
                for i in schedule.intervals
            ]
        ),
        "closed_data": _compact_json([d.isoformat() for d in closed]),
        "offsets_data": _offsets_json(location.time_zone, today),
        "day_names": _compact_json([str(WEEKDAYS[day]) for day in range(7)]),
        "closures": sorted(closures, key=lambda c: c.date),
        "zone_name": ZONE_NAMES.get(location.time_zone, location.time_zone),
    }


def photo_srcsets(location):
    """srcset strings for the photo's renditions, by format, for <picture>."""
    result = {}
    for fmt in ("webp", "jpeg"):
        sizes = location.photo_renditions.get(fmt) or {}
        ordered = sorted(sizes.items(), key=lambda item: int(item[0]))
        result[fmt] = ", ".join(f"{default_storage.url(name)} {width}w" for width, name in ordered)
    return result
