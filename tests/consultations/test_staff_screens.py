"""Staff screens that fit (issue 18, item 8): the one-click "Mark contacted" on a
request's page, the line saying when a request is due or how overdue, the list's overdue
rows, and the dashboard's funnel rates (never over 100) and first actions."""

import datetime
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from consultations.admin import due_line
from consultations.dashboard import funnel, per_hundred
from consultations.metrics import Figures
from consultations.models import ConsultationRequest
from staff.models import AuditEvent

BACKEND = "django.contrib.auth.backends.ModelBackend"
CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")
Status = ConsultationRequest.Status


@pytest.fixture
def login(client):
    def login_as(user):
        client.force_login(user, backend=BACKEND)
        return client

    return login_as


def mark_url(obj_or_pk):
    pk = getattr(obj_or_pk, "pk", obj_or_pk)
    return reverse("admin:consultations_consultationrequest_mark_contacted", args=[pk])


def change_url(obj):
    return reverse("admin:consultations_consultationrequest_change", args=[obj.pk])


# --- one-click "Mark contacted" ------------------------------------------------------


def test_mark_contacted_button_marks_the_request_and_is_audited(
    login, front_desk_user, make_timed_request
):
    request = make_timed_request(timezone.now() - timedelta(minutes=30))
    client = login(front_desk_user)
    page = client.get(change_url(request)).content.decode()
    assert f'action="{mark_url(request)}"' in page and "csrfmiddlewaretoken" in page
    response = client.post(mark_url(request))
    assert response.status_code == 302 and response["Location"] == change_url(request)
    request.refresh_from_db()
    assert request.status == Status.CONTACTED
    assert request.first_contacted_at is not None and request.first_contact_minutes == 30
    event = AuditEvent.objects.get(action="change")
    assert (event.username, event.object_ids, event.detail) == (
        "frontdesk",
        [request.pk],
        "contacted",
    )


def test_mark_contacted_needs_a_csrf_token(front_desk_user, make_request):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(front_desk_user, backend=BACKEND)
    request = make_request()
    assert client.post(mark_url(request)).status_code == 403
    request.refresh_from_db()
    assert request.status == Status.NEW


def test_a_get_to_mark_contacted_changes_nothing(login, front_desk_user, make_request):
    request = make_request()
    assert login(front_desk_user).get(mark_url(request)).status_code == 405
    request.refresh_from_db()
    assert (request.status, request.first_contacted_at) == (Status.NEW, None)
    assert not AuditEvent.objects.filter(action="change").exists()


def test_staff_who_cannot_change_requests_may_not_mark_them(login, make_staff, make_request):
    reader = make_staff("reader", None, every_location=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_consultationrequest"))
    request = make_request()
    client = login(reader)
    assert "Mark contacted" not in client.get(change_url(request)).content.decode()
    assert client.post(mark_url(request)).status_code == 403
    request.refresh_from_db()
    assert request.status == Status.NEW
    assert not AuditEvent.objects.filter(action="change").exists()


def test_another_clinics_request_answers_like_one_that_does_not_exist(
    login, front_desk_user, limit_to, make_request, gretna, bellevue
):
    limit_to(front_desk_user, gretna)
    theirs = make_request(location=bellevue)
    client = login(front_desk_user)
    hidden = client.post(mark_url(theirs))
    missing = client.post(mark_url(theirs.pk + 1000))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    theirs.refresh_from_db()
    assert theirs.status == Status.NEW
    assert not AuditEvent.objects.filter(action="change").exists()


def test_request_page_shows_contact_details_as_links_first(login, front_desk_user, make_request):
    request = make_request(phone="+14025550123", phone_extension="12", contact_method="phone")
    html = login(front_desk_user).get(change_url(request)).content.decode()
    summary = html.index('class="request-summary')
    assert summary < html.index('id="consultationrequest_form"')
    assert '<a href="tel:+14025550123,12">(402) 555-0123 ext. 12</a>' in html[summary:]
    assert '<a href="mailto:sam@example.net">sam@example.net</a>' in html[summary:]


# --- the due line ---------------------------------------------------------------------


def at(hour, minute=0, day=2):
    """A time on Tuesday 2030-07-0<day> in Bellevue's zone (America/Chicago by default)."""
    from zoneinfo import ZoneInfo

    return datetime.datetime(2030, 7, day, hour, minute, tzinfo=ZoneInfo("America/Chicago"))


@pytest.mark.parametrize(
    ("due", "now", "line"),
    [
        (at(15, 30), at(10), "Due by 3:30 PM today (Bellevue time)"),
        (at(9, 0, day=3), at(16), "Due by 9:00 AM tomorrow (Bellevue time)"),
        (at(9, 0, day=5), at(16), "Due by 9:00 AM on Fri, Jul 5 (Bellevue time)"),
        (at(10), at(11, 20), "Overdue by 1 h 20 min"),
        (at(10), at(10, 0), "Overdue by 0 min"),
    ],
)
def test_due_line_says_when_due_in_the_clinics_time_or_how_overdue(
    make_request, bellevue, due, now, line
):
    bellevue.time_zone = "America/Chicago"
    request = make_request(location=bellevue, due_at=due)
    assert due_line(request, now) == line


def test_due_line_after_first_contact_and_when_closed(make_request):
    contacted = make_request(
        due_at=at(10),
        first_contacted_at=at(9),
        first_contact_business_minutes=95,
        status=Status.CONTACTED,
    )
    assert due_line(contacted, at(12)) == "Contacted after 1 h 35 min of opening hours"
    assert due_line(make_request(due_at=at(10), status=Status.CLOSED), at(12)) is None
    assert due_line(make_request(due_at=None), at(12)) == "No due time worked out yet"


def test_the_request_page_says_overdue(login, front_desk_user, make_timed_request):
    now = timezone.now()
    late = make_timed_request(now - timedelta(hours=4), due_at=now - timedelta(hours=2))
    html = login(front_desk_user).get(change_url(late)).content.decode()
    assert "⚠ </span>Overdue by 2 h" in html


# --- the list ------------------------------------------------------------------------


def test_overdue_rows_carry_a_class_and_the_word(login, front_desk_user, make_timed_request):
    now = timezone.now()
    late = make_timed_request(now - timedelta(hours=4), due_at=now - timedelta(hours=2))
    make_timed_request(now, due_at=now + timedelta(hours=2))
    html = login(front_desk_user).get(CHANGELIST).content.decode()
    assert html.count('<tr class="overdue-row">') == 1
    row = html[html.index('<tr class="overdue-row">') :]
    row = row[: row.index("</tr>")]
    assert f'value="{late.pk}"' in row and "Overdue by" in row


# --- the dashboard's funnel -----------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "whole", "rate"),
    [(19, 2, None), (3, 10, 30), (10, 10, 100), (0, 10, 0), (5, 0, None), (None, 5, None)],
)
def test_per_hundred_is_never_over_100(part, whole, rate):
    assert per_hundred(part, whole) == rate


def test_the_funnel_that_showed_950_percent_shows_no_rate_over_100():
    # 19 requests after 2 counted form views: once shown as "950%".
    figures = Figures(requests=19, form_views=2, treatment_page_views=40)
    rates = funnel(figures)
    assert (rates["forms_per_100_views"], rates["requests_per_100_forms"]) == (5, None)


def test_the_dashboard_leads_with_overdue_and_waiting(login, front_desk_user, make_timed_request):
    now = timezone.now()
    make_timed_request(now - timedelta(hours=4), due_at=now - timedelta(hours=2))
    make_timed_request(now, due_at=now + timedelta(hours=2))
    response = login(front_desk_user).get(reverse("admin:index"))
    actions = response.context["dashboard"]["actions"]
    assert (actions["overdue"], actions["waiting"]) == (1, 2)
    html = response.content.decode()
    assert html.index("overdue requests") < html.index("How fast patients hear from us")
    assert f'href="{CHANGELIST}?response=overdue"' in html
