"""Who may see which clinic: the one rule (`visible_to`), the access rows staff are given,
and the log of every change to them."""

from django.conf import settings
from django.db import models

from pages.models import Location


def limit_to_visible(queryset, user, location_field):
    """The one rule for "which clinics may this user see", applied to `queryset` through
    `location_field` (the path to the clinic, or its id; "pk" for clinics themselves).
    With `location_field` None, the rows are no one clinic's: only those who see every
    clinic see them."""
    allowed = StaffLocationAccess.locations_for(user)
    if allowed is None:
        return queryset
    if location_field is None:
        return queryset.none()
    return queryset.filter(**{f"{location_field}__in": allowed})


def visible_locations(user, locations=None):
    """The clinics (pages.Location) `user` may see, by the same rule."""
    locations = Location.objects.all() if locations is None else locations
    return limit_to_visible(locations, user, "pk")


class VisibleToQuerySet(models.QuerySet):
    """Mixed into every clinic-scoped model's QuerySet: `Model.objects.visible_to(user)`.
    Subclasses name the path to the clinic in `location_field`."""

    location_field = "location"

    def visible_to(self, user):
        return limit_to_visible(self, user, self.location_field)


class StaffLocationAccessQuerySet(VisibleToQuerySet):
    location_field = "location"


class NoOneClinicsQuerySet(VisibleToQuerySet):
    """Rows that are about no one clinic (whole-site access, access changes)."""

    location_field = None


class StaffLocationAccess(models.Model):
    """One location a staff member may see. Staff see the requests of their rows here,
    unless they see every location (StaffAllLocationsAccess); with neither, nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="location_access"
    )
    # PROTECT: a location people are given cannot vanish from under them unrecorded; access
    # changes only through the admin, where each one is audited (StaffAccessChange).
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="staff_access")

    objects = StaffLocationAccessQuerySet.as_manager()

    class Meta:
        db_table = "consultations_stafflocationaccess"
        ordering = ["user__username", "location__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "location"], name="unique_staff_location")
        ]
        verbose_name = "staff location access"
        verbose_name_plural = "staff location access"

    def __str__(self):
        return f"{self.user} → {self.location}"

    @classmethod
    def sees_every_location(cls, user):
        """Superusers, and staff explicitly given every location. Never "no rows": a
        limited person whose last row goes sees nothing, not everything."""
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        return StaffAllLocationsAccess.objects.filter(user=user).exists()

    @classmethod
    def locations_for(cls, user):
        """Location ids the user is limited to (possibly none), or None for no limit."""
        if cls.sees_every_location(user):
            return None
        return list(cls.objects.filter(user=user).values_list("location_id", flat=True))

    @classmethod
    def staff_of(cls, locations):
        """Active staff who see at least one of `locations` (ids, as locations_for gives
        them; None: every location): the staff given one of them, and those who see every
        location. Offered to a viewer limited to `locations`, it names no other clinic's
        staff."""
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(is_staff=True, is_active=True)
        if locations is None:
            return staff
        return staff.filter(
            models.Q(pk__in=cls.objects.filter(location__in=locations).values("user_id"))
            | models.Q(pk__in=StaffAllLocationsAccess.objects.values("user_id"))
            | models.Q(is_superuser=True)
        )

    @classmethod
    def describe(cls, user):
        """The user's access in words, for the access log: no patient data, no ids."""
        if StaffAllLocationsAccess.objects.filter(user=user).exists():
            return "Every location"
        names = cls.objects.filter(user=user).values_list("location__name", flat=True)
        return ", ".join(names.order_by("location__name")) or "No location"


class StaffAllLocationsAccess(models.Model):
    """The explicit choice that a staff member sees every location's requests."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="all_locations_access"
    )
    created_at = models.DateTimeField("given", auto_now_add=True)

    objects = NoOneClinicsQuerySet.as_manager()

    class Meta:
        db_table = "consultations_staffalllocationsaccess"
        ordering = ["user__username"]
        verbose_name = "staff access to every location"
        verbose_name_plural = "staff access to every location"

    def __str__(self):
        return f"{self.user} → every location"


class StaffAccessChange(models.Model):
    """Who changed whose location access, from what to what. Kept after the users go."""

    # Plain ids and names, not foreign keys: the log must outlive the users.
    changed_by_id = models.IntegerField(null=True, blank=True)
    changed_by = models.CharField(max_length=150)
    staff_id = models.IntegerField()
    staff = models.CharField("staff member", max_length=150)
    before = models.TextField()
    after = models.TextField()
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = NoOneClinicsQuerySet.as_manager()

    class Meta:
        db_table = "consultations_staffaccesschange"
        ordering = ["-at", "-pk"]
        verbose_name = "staff access change"

    def __str__(self):
        return f"{self.changed_by} changed {self.staff}'s access"

    @classmethod
    def record(cls, by, staff, before):
        """Call with the staff member's access as it was (StaffLocationAccess.describe)."""
        return cls.objects.create(
            changed_by_id=by.pk,
            changed_by=by.get_username(),
            staff_id=staff.pk,
            staff=staff.get_username(),
            before=before,
            after=StaffLocationAccess.describe(staff),
        )
