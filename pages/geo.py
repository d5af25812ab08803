"""ZIP code coordinates from the `zipcodes` package's embedded data set (no network).

Its coordinates come from GeoNames (CC BY 4.0): the finder page credits them.
"""

import functools
import math
import re

import zipcodes

EARTH_RADIUS_MILES = 3958.8
# ASCII digits only: `\d` also takes full-width or Arabic-Indic digits, and zipcodes
# panics on those.
_ZIP = re.compile(r"^([0-9]{5})(?:-?[0-9]{4})?\Z", re.ASCII)
# What a panic in a native extension raises (pyo3's PanicException) is a BaseException;
# these three are how Python itself stops, and must go on.
_STOPPING = (KeyboardInterrupt, SystemExit, GeneratorExit)


def zip5(text):
    """The 5-digit ZIP in a ZIP or ZIP+4 (“68005”, “68005-1234”), or None."""
    match = _ZIP.match(text.strip()) if text else None
    return match.group(1) if match else None


@functools.lru_cache(maxsize=4096)
def _lookup(code):
    try:
        rows = zipcodes.matching(code)
    except _STOPPING:
        raise
    except BaseException:  # a panic in the Rust extension: an unknown ZIP, not a crash
        return None
    for row in rows:
        try:
            return float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def zip_point(text):
    """(latitude, longitude) of a ZIP code's area, or None when unknown or not a ZIP."""
    code = zip5(text)
    return _lookup(code) if code else None


def miles_between(a, b):
    """Great-circle distance between two (latitude, longitude) points, in miles."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))
