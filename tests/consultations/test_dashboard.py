"""The dashboard on the admin index, and the changelist's due column and filters."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations import metrics
from consultations.models import ConsultationRequest
from pages.models import DailyPageViews
from tests import factories
from tests.factories import make_superuser

INDEX = reverse("admin:index")
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


def dashboard_of(response):
    assert response.status_code == 200
    return response.context["dashboard"]


def row_for(dashboard, slug):
    return next(f for f, _ in dashboard["rows"] if f.location.slug == slug)


def test_staff_who_work_requests_see_the_dashboard_on_the_index(
    login, front_desk_user, seeded_response_times
):
    response = login(front_desk_user).get(INDEX)
    dashboard = dashboard_of(response)
    bellevue = row_for(dashboard, "bellevue")
    assert (bellevue.new, bellevue.open, bellevue.overdue, bellevue.requests) == (2, 6, 1, 6)
    html = response.content.decode()
    assert "How fast patients hear from us" in html
    # Django's own index is still there below it.
    assert 'id="content-main"' in html and "Consultation requests" in html
    assert "<svg" in html and 'role="img"' in html
    # No template comment or tag shows through as text.
    assert "{#" not in html and "{%" not in html


def test_staff_without_access_to_requests_see_the_plain_index(login, staff_without_group):
    response = login(staff_without_group).get(INDEX)
    assert response.status_code == 200
    assert "dashboard" not in response.context
    assert b"How fast patients hear from us" not in response.content


def test_staff_limited_to_some_clinics_see_only_those_totals_included(
    login, front_desk_user, seeded_response_times, gretna, limit_to
):
    limit_to(front_desk_user, gretna)
    response = login(front_desk_user).get(INDEX)
    dashboard = dashboard_of(response)
    assert [f.location.slug for f, _ in dashboard["rows"]] == ["gretna"]
    totals = dashboard["totals"]
    assert (totals.new, totals.open, totals.overdue, totals.requests) == (0, 1, 0, 1)
    assert totals.median_minutes == 15
    assert sum(week.requests for week in dashboard["weeks"]) == 1
    assert b"Bellevue" not in response.content


def test_staff_given_no_clinic_see_no_figures(login, make_staff, seeded_response_times):
    nobody = make_staff("newhire", "Front desk")
    response = login(nobody).get(INDEX)
    dashboard = dashboard_of(response)
    assert dashboard["rows"] == []
    assert (dashboard["totals"].open, dashboard["totals"].requests) == (0, 0)
    assert sum(week.requests for week in dashboard["weeks"]) == 0
    assert b"You have no clinics to show" in response.content


@pytest.mark.parametrize("asked, shown", [("7", 7), ("90", 90), ("30", 30), ("12", 30), ("x", 30)])
def test_the_period_is_7_30_or_90_days(login, front_desk_user, asked, shown):
    dashboard = dashboard_of(login(front_desk_user).get(INDEX, {"days": asked}))
    assert dashboard["days"] == shown


def test_every_number_links_to_the_matching_list(
    login, front_desk_user, seeded_response_times, bellevue
):
    client = login(front_desk_user)
    dashboard = dashboard_of(client.get(INDEX))
    figures, links = next((f, link) for f, link in dashboard["rows"] if f.location == bellevue)
    expected = {
        "new": figures.new,
        "open": figures.open,
        "overdue": figures.overdue,
        "waiting": 2,
        "requests": figures.requests,
        "contacted": figures.contacted,
        "within": figures.within_target,
    }
    for name, count in expected.items():
        response = client.get(links[name])
        assert response.status_code == 200, name
        assert response.context["cl"].result_count == count, name


def test_the_chart_has_the_same_figures_as_a_table(login, front_desk_user, seeded_response_times):
    response = login(front_desk_user).get(INDEX)
    html = response.content.decode()
    weeks = dashboard_of(response)["weeks"]
    assert html.count('<rect class="bar"') == len(weeks) == 12
    table = html[html.index("Week starting") :]
    assert table.count('<th scope="row">') >= 12
    assert "The table below gives the same figures" in html
    assert "style=" not in html[html.index("<svg") : html.index("</svg>")]


def test_the_funnel_shows_page_views_and_conversion_for_the_period(
    login, front_desk_user, seeded_response_times, bellevue, gretna
):
    today = metrics.Period(7, timezone.now()).end_day
    views = [
        (bellevue, today, "treatment", 150),
        (bellevue, today - timedelta(days=6), "treatment", 50),
        (bellevue, today - timedelta(days=7), "treatment", 999),  # before the 7 days
        (bellevue, today, "form", 20),
        (bellevue, today, "overview", 70),
        (gretna, today, "treatment", 10),
    ]
    DailyPageViews.objects.bulk_create(
        DailyPageViews(location=location, day=day, kind=kind, count=count)
        for location, day, kind, count in views
    )
    response = login(front_desk_user).get(INDEX, {"days": "7"})
    dashboard = dashboard_of(response)
    figures = row_for(dashboard, "bellevue")
    assert (figures.treatment_page_views, figures.form_views, figures.requests) == (200, 20, 6)
    assert figures.form_view_share == 0.1
    assert figures.request_share == 0.3
    assert (row_for(dashboard, "gretna").treatment_page_views, dashboard["totals"].form_views) == (
        10,
        20,
    )
    html = response.content.decode()
    # Rates per 100 of the step before (10 form views per 100 page views, 30 requests per
    # 100 form views), no longer percentages.
    assert "<td>10</td>" in html and "<td>30</td>" in html
    assert "%)" not in html[html.index('id="funnel-title"') : html.index('id="weekly-title"')]


def test_dashboard_queries_do_not_grow_with_requests_bookings_or_clinics(
    login, front_desk_user, bellevue, gretna, make_location
):
    client = login(front_desk_user)
    now = timezone.now()

    def add(count):
        ConsultationRequest.objects.bulk_create(
            ConsultationRequest(
                location=bellevue if n % 2 else gretna,
                first_name="Test",
                last_name="Patient",
                contact_method="email",
                email="t@example.invalid",
                topic="general",
                patient_type="new",
                consent_at=now,
                status="contacted" if n % 3 else "new",
                due_at=now + timedelta(minutes=n % 200 - 100),
                first_contacted_at=now if n % 3 else None,
                first_contact_business_minutes=n % 500 if n % 3 else None,
            )
            for n in range(count)
        )

    def queries():
        client.get(INDEX)  # warm-up: sessions, content types
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INDEX).status_code == 200
        return len(captured)

    add(10)
    factories.add_bookings([bellevue, gretna], 10)
    small = queries()
    # Ten thousand requests, two thousand bookings, and more clinics than a page of either
    # table holds: still the same queries.
    more = [make_location(f"Clinic {n}", slug=f"clinic-{n}") for n in range(30)]
    add(9_990)
    factories.add_bookings([bellevue, gretna, *more], 1_990)
    response = client.get(INDEX)
    assert response.context["dashboard"]["page"].has_other_pages()
    assert "Pages of clinics in the booking figures" in response.content.decode()
    assert queries() == small


# --- the changelist --------------------------------------------------------------


def due_cell(response, request):
    html = response.content.decode()
    row = re.search(rf'value="{request.pk}".*?</tr>', html, re.S).group(0)
    return re.search(r'<td class="field-due">(.*?)</td>', row, re.S).group(1)


def test_the_list_shows_time_left_or_how_long_overdue(login, front_desk_user, make_timed_request):
    now = timezone.now()
    waiting = make_timed_request(now, due_at=now + timedelta(hours=1, minutes=30))
    late = make_timed_request(now - timedelta(hours=5), due_at=now - timedelta(hours=3))
    done = make_timed_request(
        now - timedelta(hours=5),
        due_at=now - timedelta(hours=3),
        first_contacted_at=now,
        first_contact_business_minutes=95,
        status="contacted",
    )
    response = login(front_desk_user).get(CHANGELIST)
    assert due_cell(response, waiting).startswith("In 1\xa0hour")
    overdue = due_cell(response, late)
    # Stands out by a sign and words, not colour alone.
    assert "<strong" in overdue and "⚠ Overdue by 3\xa0hours" in overdue
    assert due_cell(response, done) == "Contacted after 1 h 35 min"


def test_the_overdue_filter_lists_the_longest_overdue_first(
    login, front_desk_user, make_timed_request
):
    now = timezone.now()
    later = make_timed_request(now - timedelta(hours=2), due_at=now - timedelta(minutes=5))
    sooner = make_timed_request(now - timedelta(hours=9), due_at=now - timedelta(hours=7))
    make_timed_request(now, due_at=now + timedelta(hours=2))
    make_timed_request(now - timedelta(hours=9), due_at=now - timedelta(hours=7), status="closed")
    response = login(front_desk_user).get(CHANGELIST, {"response": "overdue"})
    assert [r.pk for r in response.context["cl"].result_list] == [sooner.pk, later.pk]


def test_open_requests_sort_by_due_time(login, front_desk_user, make_timed_request):
    now = timezone.now()
    b = make_timed_request(now, due_at=now + timedelta(hours=2))
    a = make_timed_request(now, due_at=now + timedelta(hours=1))
    client = login(front_desk_user)
    columns = client.get(CHANGELIST).context["cl"].list_display
    index = columns.index("due")
    response = client.get(CHANGELIST, {"open": "oldest", "o": str(index)})
    assert [r.pk for r in response.context["cl"].result_list] == [a.pk, b.pk]


def test_marking_contacted_in_the_admin_records_the_response_time(
    login, front_desk_user, make_timed_request
):
    request = make_timed_request(timezone.now() - timedelta(minutes=20))
    client = login(front_desk_user)
    client.post(CHANGELIST, {"action": "mark_contacted", "_selected_action": [str(request.pk)]})
    request.refresh_from_db()
    assert request.first_contacted_at is not None
    assert request.first_contact_minutes == 20
    assert request.first_contact_business_minutes is not None


def test_superusers_see_every_clinic(login, seeded_response_times):
    root = make_superuser("root")
    dashboard = dashboard_of(login(root).get(INDEX))
    assert {f.location.slug for f, _ in dashboard["rows"]} == {"bellevue", "gretna"}
