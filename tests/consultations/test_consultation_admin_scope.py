"""The admin tells staff nothing about clinics they do not see (issue 16, item 6): the
"view on site" shortcut answers "not yours" like "does not exist" and never points at an
inactive clinic's address, and the assignee choices list only staff who share a clinic."""

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from consultations.models import ConsultationRequest
from staff.models import StaffLocationAccess
from tests.factories import make_superuser

CHANGELIST = reverse("admin:consultations_consultationrequest_changelist")


def shortcut(model, pk):
    content_type = ContentType.objects.get_for_model(model)
    return reverse("admin:view_on_site", args=[content_type.pk, pk])


def change_url(obj):
    return reverse("admin:consultations_consultationrequest_change", args=[obj.pk])


def choices(response, title):
    """The names a changelist filter offers."""
    spec = next(s for s in response.context["cl"].filter_specs if s.title == title)
    return {str(c["display"]) for c in spec.choices(response.context["cl"])} - {"All", "-"}


# --- the r/<content type>/<id>/ shortcut ------------------------------------------------


def test_shortcut_answers_another_clinic_s_request_exactly_like_a_missing_one(
    login, make_staff, make_request, gretna
):
    desk = make_staff("gretna-desk", "Front desk", gretna)
    other = make_request()  # Bellevue
    missing_pk = other.pk + 1000
    client = login(desk)

    hidden_url = shortcut(ConsultationRequest, other.pk)
    missing_url = shortcut(ConsultationRequest, missing_pk)
    hidden, missing = client.get(hidden_url), client.get(missing_url)
    assert hidden.status_code == missing.status_code == 404
    assert "Location" not in hidden
    # The same page, but for the address asked for.
    assert hidden.content.replace(hidden_url.encode(), b"URL") == missing.content.replace(
        missing_url.encode(), b"URL"
    )


def test_shortcut_still_opens_a_request_of_one_s_own_clinic(login, make_staff, make_request):
    from pages.models import Location

    desk = make_staff("bellevue-desk", "Front desk", Location.objects.get(slug="bellevue"))
    mine = make_request()
    response = login(desk).get(shortcut(ConsultationRequest, mine.pk))
    assert response.status_code == 302
    assert response["Location"].endswith(change_url(mine))


def test_shortcut_is_not_found_for_staff_who_may_not_view_requests(
    login, staff_without_group, make_request
):
    request = make_request()
    response = login(staff_without_group).get(shortcut(ConsultationRequest, request.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["front desk", "superuser"])
def test_shortcut_never_sends_staff_to_an_inactive_clinic_s_address(
    login, front_desk_user, make_location, who
):
    from pages.models import Location

    closed = make_location("Papillion", slug="papillion-secret", is_active=False)
    user = front_desk_user
    if who == "superuser":
        user = make_superuser("boss")
    response = login(user).get(shortcut(Location, closed.pk))
    assert response.status_code == 404
    assert "papillion-secret" not in response.get("Location", "")
    assert b"papillion-secret" not in response.content


def test_shortcut_sends_location_editors_to_an_active_clinic_s_page(login, bellevue):
    from pages.models import Location

    boss = make_superuser("boss")
    response = login(boss).get(shortcut(Location, bellevue.pk))
    assert response.status_code == 302
    assert response["Location"].endswith(bellevue.get_absolute_url())


# --- who may be assigned ----------------------------------------------------------------


@pytest.fixture
def clinic_staff(make_staff, bellevue, gretna):
    """A Bellevue front desk (the viewer), a Bellevue colleague, a Gretna desk, a manager
    who sees every clinic and an inactive Bellevue account."""
    viewer = make_staff("bellevue-desk", "Front desk", bellevue)
    make_staff("bellevue-nurse", "Front desk", bellevue)
    make_staff("gretna-desk", "Front desk", gretna)
    make_staff("everywhere", "Practice manager", every_location=True)
    gone = make_staff("bellevue-former", "Front desk", bellevue)
    User.objects.filter(pk=gone.pk).update(is_active=False)
    return viewer


SHARING = {"bellevue-desk", "bellevue-nurse", "everywhere"}


def test_assigned_to_filter_lists_only_staff_who_share_a_clinic(login, clinic_staff, make_request):
    make_request()
    response = login(clinic_staff).get(CHANGELIST)
    assert choices(response, "assigned to") == SHARING
    assert "gretna-desk" not in response.content.decode()


def test_assign_drop_down_lists_only_staff_who_share_a_clinic(login, clinic_staff, make_request):
    request = make_request()
    response = login(clinic_staff).get(change_url(request))
    field = response.context["adminform"].form.fields["assigned_to"]
    assert {user.username for user in field.queryset} == SHARING
    assert "gretna-desk" not in response.content.decode()


def test_staff_who_see_every_clinic_are_offered_every_active_staff_member(
    login, clinic_staff, practice_manager_user, make_request
):
    request = make_request()
    client = login(practice_manager_user)
    field = client.get(change_url(request)).context["adminform"].form.fields["assigned_to"]
    everyone = {"bellevue-desk", "bellevue-nurse", "gretna-desk", "everywhere", "manager"}
    assert {user.username for user in field.queryset} == everyone
    assert choices(client.get(CHANGELIST), "assigned to") == everyone


def test_a_request_keeps_its_assignee_from_another_clinic_when_a_colleague_saves_it(
    login, clinic_staff, make_request, gretna
):
    # Assigned while they worked at Bellevue; they moved to Gretna since.
    moved = User.objects.get(username="gretna-desk")
    request = make_request(assigned_to=moved)
    response = login(clinic_staff).post(
        change_url(request),
        {
            "status": "contacted",
            "assigned_to": str(moved.pk),
            "staff_notes": "Left a voicemail.",
            "notifications-TOTAL_FORMS": "0",
            "notifications-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.assigned_to) == ("contacted", moved)
    assert StaffLocationAccess.locations_for(moved) == [gretna.pk]
