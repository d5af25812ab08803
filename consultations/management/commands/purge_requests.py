from consultations import services
from consultations.models import ConsultationRequest
from staff.purge import PurgeCommand


class Command(PurgeCommand):
    help = (
        "Delete closed consultation requests not changed for CONSULTATION_RETENTION_DAYS "
        "days. Open requests are never deleted. Each deletion is kept in the deletion log "
        "and the audit log."
    )
    setting = "CONSULTATION_RETENTION_DAYS"
    what = "closed request(s)"
    kept = "requests"

    def due(self, cutoff):
        return ConsultationRequest.objects.due_for_purge(cutoff)

    def reason(self, days):
        return f"Retention: closed, unchanged for {days} days"

    def delete(self, records, reason):
        services.delete_requests(records, reason, job="purge_requests")
