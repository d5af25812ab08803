"""One patient in a race: set up Django with the site's settings (DATABASE_URL from the
environment), wait for the start signal, book (or move) and print the outcome as JSON."""

import datetime
import json
import os
import sys
import time
import uuid
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modsite.settings.test")
django.setup()

from appointments import services  # noqa: E402
from appointments.models import AppointmentType, Booking  # noqa: E402

DETAILS = {
    "first_name": "Race",
    "last_name": "Runner",
    "contact_method": "email",
    "phone": "",
    "email": "race@example.net",
    "patient_type": "new",
    "topic": "",
    "message": "",
}


def main(run_dir, action, type_pk, start, submission=None):
    run_dir = Path(run_dir)
    kind = AppointmentType.objects.select_related("location").get(pk=int(type_pk))
    start = datetime.datetime.fromisoformat(start)
    (run_dir / f"ready-{os.getpid()}").touch()
    while not (run_dir / "go").exists():
        time.sleep(0.005)
    try:
        if action == "move":
            services.reschedule(Booking.objects.get(pk=int(submission)), start, user=None)
        else:
            services.book(
                kind, start, DETAILS, uuid.UUID(submission) if submission else uuid.uuid4()
            )
        outcome = {"booked": True}
    except services.BookingError as error:
        outcome = {"booked": False, "reason": error.reason, "alternatives": len(error.alternatives)}
    except services.AlreadyBooked:
        outcome = {"booked": False, "reason": "already"}
    print(json.dumps(outcome))


if __name__ == "__main__":
    main(*sys.argv[1:])
