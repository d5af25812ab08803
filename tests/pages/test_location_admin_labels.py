"""Every field of the location editor's hours and closure rows has a name screen readers
announce (axe had reported 47 unlabelled fields there: critical)."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from pages.models import ClosureDate, OpeningHours

pytestmark = pytest.mark.django_db


def test_hours_and_closure_rows_name_each_field_by_column_and_row(client, settings, bellevue):
    settings.STAFF_REQUIRE_2FA = False
    OpeningHours.objects.filter(location=bellevue).delete()
    for opens, closes in ((8, 12), (13, 17)):
        OpeningHours.objects.create(
            location=bellevue, weekday=0, opens=datetime.time(opens), closes=datetime.time(closes)
        )
    ClosureDate.objects.create(location=bellevue, date=datetime.date(2030, 12, 25))
    client.force_login(User.objects.create_superuser("root", password="x-long-password-1"))
    html = client.get(reverse("admin:pages_location_change", args=[bellevue.pk])).content.decode()
    labels = set(re.findall(r'aria-label="([^"]+)"', html))
    assert {
        "Day, row 2",
        "Monday opening time, row 2",
        "Monday closing time, row 2",
        "Delete row 2",
        "Date, row 1",
        "Reason, row 1",
    } <= labels
    # The blank row the "Add another" link copies is named too.
    assert "Opening time, new row" in labels
