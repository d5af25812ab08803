"""Several workers running send_notifications at once never take the same row."""

import threading

import pytest
from django.db import connection, connections

from consultations.models import ConsultationRequest
from staff import outbox
from staff.models import NotificationOutbox

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="in-memory SQLite test database is per thread"
)
def test_parallel_claims_never_overlap(make_location):
    # Its own location: after the browser tests, serialized_rollback does not bring the
    # migration-made locations back on PostgreSQL.
    location = make_location("Parallel")
    rows = [
        NotificationOutbox.for_record(
            ConsultationRequest.objects.create(
                location=location,
                first_name="Parallel",
                last_name="Test",
                patient_type="new",
                email="p@example.net",
                contact_method="email",
                topic="general",
                consent_at="2026-01-01T00:00:00Z",
            )
        )
        for _ in range(40)
    ]
    NotificationOutbox.objects.bulk_create(rows)
    workers = 6
    start = threading.Barrier(workers)
    claimed = []
    lock = threading.Lock()

    def worker():
        try:
            start.wait()
            while ids := outbox.claim(limit=3):
                with lock:
                    claimed.extend(ids)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 40
    assert len(set(claimed)) == 40
    assert set(NotificationOutbox.objects.values_list("attempts", flat=True)) == {1}
