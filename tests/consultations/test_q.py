import time
from datetime import timedelta
from django.utils import timezone
from django.db import connection
from django.test.utils import CaptureQueriesContext
from consultations.models import ConsultationRequest
def test_q(client, front_desk_user, bellevue):
    client.force_login(front_desk_user, backend="django.contrib.auth.backends.ModelBackend")
    now = timezone.now()
    objs = [ConsultationRequest(
                location=bellevue, first_name="Test", last_name="Patient", contact_method="email",
                email="t@example.invalid", topic="general", patient_type="new", consent_at=now,
                status="contacted" if n % 3 else "new", due_at=now + timedelta(minutes=n % 200 - 100),
                first_contacted_at=now if n % 3 else None,
                first_contact_business_minutes=n % 500 if n % 3 else None,
            ) for n in range(10000)]
    t=time.perf_counter()
    ConsultationRequest.objects.bulk_create(objs, batch_size=1000)
    print("create", time.perf_counter()-t)
    client.get("/admin/")
    with CaptureQueriesContext(connection) as c:
        t=time.perf_counter(); client.get("/admin/"); print("get", time.perf_counter()-t)
    for q in c.captured_queries: print(q["time"], q["sql"][:100])
