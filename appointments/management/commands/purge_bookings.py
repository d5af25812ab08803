from appointments import services
from appointments.models import Booking
from staff.purge import PurgeCommand


class Command(PurgeCommand):
    help = (
        "Delete bookings whose visit ended more than BOOKING_RETENTION_DAYS days ago "
        "(whatever their status), and cancelled ones unchanged that long. Their seats, "
        "history, reminders and unsent e-mails go with them. Each deletion is kept in the "
        "deletion log and the audit log."
    )
    setting = "BOOKING_RETENTION_DAYS"
    what = "booking(s)"
    kept = "bookings"

    def due(self, cutoff):
        return Booking.objects.due_for_purge(cutoff)

    def reason(self, days):
        return f"Retention: visit over or cancelled more than {days} days ago"

    def delete(self, records, reason):
        services.delete_bookings(records, reason, job="purge_bookings")
