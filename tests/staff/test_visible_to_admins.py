"""One visibility rule: every admin on the site whose model is clinic-scoped (its
QuerySet is a staff.models.VisibleToQuerySet) lists, for a staff member limited to one
clinic, only that clinic's rows. A new scoped model whose admin forgets `visible_to`
fails here."""

import uuid

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone

from appointments.models import AppointmentType, Booking, BookingBlock, CalendarFeed
from consultations.models import ConsultationRequest
from pages.models import Location
from staff.models import (
    AuditEvent,
    DeletionLog,
    NotificationOutbox,
    StaffAccessChange,
    StaffAllLocationsAccess,
    StaffLocationAccess,
    VisibleToQuerySet,
    visible_locations,
)
from tests.factories import make_request


def scoped_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model._default_manager.all(), VisibleToQuerySet)
    ]


def test_every_model_with_a_location_is_scoped():
    """A model with a clinic (a foreign key to Location, or a location id) uses the rule."""
    for model in admin.site._registry:
        names = {f.name for f in model._meta.get_fields()}
        has_clinic = (
            any(
                getattr(f, "related_model", None) is Location
                for f in model._meta.get_fields()
                if not f.auto_created
            )
            or "location_id" in names
        )
        if has_clinic and model is not Location:
            assert isinstance(model._default_manager.all(), VisibleToQuerySet), model


def _one_of_each(clinic, user):
    """A row of every scoped model in `clinic`."""
    now = timezone.now()
    request = make_request(clinic, topic="general", patient_type="new", consent_at=now)
    NotificationOutbox.objects.create_for(request)
    AuditEvent.record(AuditEvent.Action.VIEW, [request], username="test")
    DeletionLog.record([request], deleted_by="test", reason="test")
    StaffLocationAccess.objects.create(user=user, location=clinic)
    kind = AppointmentType.objects.create(location=clinic, name_en="Visit", name_es="Visita")
    BookingBlock.objects.create(location=clinic, date=now.date())
    CalendarFeed.objects.create(location=clinic, token_hash=uuid.uuid4().hex)
    Booking.objects.create(
        appointment_type=kind,
        location=clinic,
        starts_at=now,
        ends_at=now,
        first_name="Sam",
        last_name="Sample",
        contact_method="email",
        patient_type="new",
        submission_key=uuid.uuid4(),
        manage_token_hash=uuid.uuid4().hex,
    )


@pytest.mark.django_db
def test_every_scoped_admin_shows_a_limited_person_only_their_clinics_rows(
    django_user_model, make_location
):
    here, there = make_location("Here"), make_location("There")
    limited = django_user_model.objects.create_user("limited", is_staff=True)
    other = django_user_model.objects.create_user("other", is_staff=True)
    _one_of_each(here, limited)
    _one_of_each(there, other)
    StaffAllLocationsAccess.objects.create(user=other)
    StaffAccessChange.objects.create(
        changed_by="x", staff_id=other.pk, staff="other", before="", after=""
    )

    request = RequestFactory().get("/admin/")
    request.user = limited
    admins = scoped_admins()
    assert {model for model, _ in admins} >= {
        ConsultationRequest,
        NotificationOutbox,
        AuditEvent,
        DeletionLog,
        StaffLocationAccess,
        StaffAllLocationsAccess,
        StaffAccessChange,
    }
    for model, model_admin in admins:
        shown = model_admin.get_queryset(request)
        everything = model._default_manager.all()
        assert everything.exists(), model
        assert set(shown) == set(everything.visible_to(limited)), model
        assert set(shown) < set(everything), model
    assert list(visible_locations(limited)) == [here]
