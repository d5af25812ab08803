import re

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone

from . import kinds, services
from .models import (
    AuditEvent,
    DeletionLog,
    NotificationOutbox,
    StaffAccessChange,
    StaffAllLocationsAccess,
    StaffLocationAccess,
    visible_locations,
)


class ScopedLocationFilter(admin.RelatedFieldListFilter):
    """The location filter lists only the locations this staff member may see."""

    def field_choices(self, field, request, model_admin):
        return [(loc.pk, loc.name) for loc in visible_locations(request.user)]


class VisibleToAdminMixin:
    """Every admin of a clinic-scoped model lists, opens, changes and deletes only the rows
    of the clinics the person may see (the model's `objects.visible_to`); a test checks
    that every such admin on the site uses it."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


# An e-mail address in a mail server's error message ("<ana@example.net>: mailbox full").
_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")


def masked_address(address):
    """ "s•••@example.com": enough to spot a mistyped domain, not to know the patient."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


@admin.register(NotificationOutbox)
class NotificationOutboxAdmin(VisibleToAdminMixin, admin.ModelAdmin):
    """The outbox of the clinics the person may see. Staff who may see the outbox may not
    see every patient of those clinics (that is the request's or the booking's own
    permission): a patient's address is shown masked, in the error too, and is never
    searched or filtered on, so nobody can look up whether a patient wrote to us."""

    list_display = ["__str__", "state", "attempts", "next_attempt_at", "sent_at", "sent_to"]
    list_filter = ["state", "kind"]
    list_select_related = ["location"]
    # Staff mails' recipients only, and record ids: see get_search_results.
    search_fields = ["=object_id", "recipient"]
    search_help_text = "A record's number, or the staff address a notification went to."
    fields = readonly_fields = [
        "kind",
        "record_type",
        "object_id",
        "location",
        "digest_date",
        "counts",
        "state",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "sent_to",
        "error",
        "created_at",
        "sent_at",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.display(description="recipient")
    def sent_to(self, obj):
        if not kinds.to_patient(obj.kind):
            return obj.recipient
        if obj.recipient:
            return f"The patient ({masked_address(obj.recipient)})"
        return "The patient"

    @admin.display(description="last error")
    def error(self, obj):
        if not kinds.to_patient(obj.kind):
            return obj.last_error
        return _ADDRESS.sub(lambda match: masked_address(match.group()), obj.last_error)

    def get_search_results(self, request, queryset, search_term):
        """A record's number, or part of a staff mail's recipient: a patient's address is
        never matched (a hit would tell whether that patient wrote to us)."""
        term = search_term.strip()
        if not term:
            return queryset, False
        found = Q(recipient__icontains=term, kind__in=kinds.staff_kinds())
        if term.isdigit():
            found |= Q(object_id=int(term))
        return queryset.filter(found), False

    def lookup_allowed(self, lookup, value, request=None):
        # ?recipient=ana@example.net in the address bar would filter by it all the same.
        if lookup.split("__")[0] in ("recipient", "last_error"):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.action(
        description="Try sending the selected notifications again", permissions=["change"]
    )
    def retry_now(self, request, queryset):
        # A row being sent right now (live lease) is left alone, or it could go out twice.
        busy = Q(state=NotificationOutbox.State.SENDING, lease_until__gte=timezone.now())
        count = (
            queryset.exclude(state=NotificationOutbox.State.SENT)
            .exclude(busy)
            .update(
                state=NotificationOutbox.State.PENDING,
                next_attempt_at=timezone.now(),
                lease_until=None,
                attempts=0,
            )
        )
        self.message_user(
            request,
            f"{count} notification(s) will be sent on the next run of send_notifications.",
            messages.SUCCESS,
        )


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Logs are evidence: nobody adds, edits or removes rows through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(VisibleToAdminMixin, ReadOnlyLogAdmin):
    list_display = ["at", "username", "action", "record_type", "count", "search", "detail"]
    list_filter = ["action", "record_type", ("locations", ScopedLocationFilter), "at"]
    search_fields = ["username", "detail", "search"]
    exclude = ["locations"]


@admin.register(DeletionLog)
class DeletionLogAdmin(VisibleToAdminMixin, ReadOnlyLogAdmin):
    list_display = [
        "object_id",
        "record_type",
        "location_name",
        "status",
        "deleted_at",
        "deleted_by",
        "reason",
    ]
    list_filter = ["record_type", "location_name", "deleted_at"]
    search_fields = ["=object_id", "deleted_by"]


@admin.register(StaffAccessChange)
class StaffAccessChangeAdmin(VisibleToAdminMixin, ReadOnlyLogAdmin):
    list_display = ["at", "changed_by", "staff", "before", "after"]
    list_filter = ["at"]
    search_fields = ["changed_by", "staff"]

    def has_view_permission(self, request, obj=None):
        # It names every location: for the people who manage access, who see them all.
        return super().has_view_permission(request, obj) and (
            StaffLocationAccess.sees_every_location(request.user)
        )


class StaffAccessAdmin(VisibleToAdminMixin, admin.ModelAdmin):
    """Access is given or taken away, never edited in place; only by staff who see every
    location themselves, never on their own access, and each change is logged."""

    list_select_related = ["user"]
    search_fields = ["user__username"]

    def _may_manage(self, request, obj=None):
        return StaffLocationAccess.sees_every_location(request.user) and (
            obj is None or obj.user_id != request.user.pk
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            staff = get_user_model().objects.filter(is_staff=True)
            kwargs["queryset"] = staff.exclude(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request):
        # The bulk delete action checks only the model permission: refuse one's own rows.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(obj.user_id == request.user.pk for obj in objs):
            perms_needed.add("your own access")
        return deleted, counts, perms_needed, protected

    def save_model(self, request, obj, form, change):
        services.grant_access(obj, by=request.user)

    def delete_model(self, request, obj):
        services.revoke_access([obj], by=request.user)

    def delete_queryset(self, request, queryset):
        rows = list(queryset.select_related("user"))
        if any(row.user_id == request.user.pk for row in rows):
            raise PermissionDenied
        services.revoke_access(rows, by=request.user)


@admin.register(StaffLocationAccess)
class StaffLocationAccessAdmin(StaffAccessAdmin):
    list_display = ["user", "location"]
    list_filter = [("location", ScopedLocationFilter)]
    list_select_related = ["user", "location"]


@admin.register(StaffAllLocationsAccess)
class StaffAllLocationsAccessAdmin(StaffAccessAdmin):
    # Not any one location's: only people who see every location see these (visible_to).
    list_display = ["user", "created_at"]
