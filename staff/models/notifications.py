"""The mail outbox: one row per e-mail to staff, queued after commit, sent once, retried
(staff.outbox sends them)."""

from django.db import models
from django.utils import timezone

from pages.models import Location

from .. import kinds
from .access import VisibleToQuerySet
from .logs import record_type_of


class NotificationOutboxQuerySet(VisibleToQuerySet):
    location_field = "location"

    def due(self, now=None):
        return self.filter(
            state=NotificationOutbox.State.PENDING, next_attempt_at__lte=now or timezone.now()
        )

    def about(self, records):
        """The rows about `records` (objects of one model)."""
        records = list(records)
        if not records:
            return self.none()
        return self.filter(
            record_type=record_type_of(type(records[0])), object_id__in=[r.pk for r in records]
        )

    def create_for(self, record, **fields):
        row = self.model.for_record(record, **fields)
        row.save(force_insert=True, using=self.db)
        return row


class NotificationOutbox(models.Model):
    """Outbox row: "tell staff about record N" (a request), or a clinic's daily summary.
    A record's row is written in the same transaction as the record, so a mail outage
    never loses the message; a day's row is unique per kind, clinic and day, so it is
    never sent twice. What each kind's e-mail says is up to the app that registered it
    (staff.kinds); no e-mail holds patient data."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Gave up"

    kind = models.CharField(max_length=10)
    # The record the row is about (a name, not a foreign key: any app's records).
    record_type = models.CharField(max_length=100, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # The clinic: the record's, or the day's; the scope of the row and whom to mail.
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    # A day's summary: its local day and the counts the e-mail reports (numbers only).
    digest_date = models.DateField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    # While SENDING: when a crashed sender's claim may be taken over.
    lease_until = models.DateTimeField(null=True, blank=True)
    recipient = models.EmailField(blank=True, help_text="Filled in when sent.")
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationOutboxQuerySet.as_manager()

    class Meta:
        db_table = "consultations_notificationoutbox"
        ordering = ["-created_at", "-pk"]
        verbose_name = "notification"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "location", "digest_date"],
                condition=models.Q(digest_date__isnull=False),
                name="one_daily_row_per_kind_location_and_day",
            ),
            models.CheckConstraint(
                condition=(models.Q(object_id__isnull=False) & ~models.Q(record_type=""))
                | models.Q(location__isnull=False, digest_date__isnull=False),
                name="notification_has_its_subject",
            ),
        ]

    def __str__(self):
        if self.digest_date is not None:
            return f"Daily summary for {self.location} on {self.digest_date}"
        return f"Notification for {self.kind} #{self.object_id} ({self.get_state_display()})"

    @classmethod
    def for_record(cls, record, kind=None, **fields):
        """An unsaved row about `record` (a clinic-scoped object), of the kind registered
        for its model unless `kind` is given."""
        record_type = record_type_of(type(record))
        return cls(
            kind=kind or kinds.for_record_type(record_type).name,
            record_type=record_type,
            object_id=record.pk,
            location_id=record.location_id,
            **fields,
        )
